#!/usr/bin/env node
// Runs every *.test.ts under the source folders with Node's test runner (TypeScript through tsx).
// Usage: npm test [-- <path filter>...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const roots = ['core', 'api', 'agent-runtime', 'workers', 'cli', 'test'];
const filters = process.argv.slice(2);

function collect(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : collect(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = roots.flatMap(collect).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort();
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
// --test-force-exit: a file whose setup failed (a server or database left open) ends with its failure reported
// instead of keeping the whole run waiting forever.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);

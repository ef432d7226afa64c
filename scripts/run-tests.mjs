#!/usr/bin/env node
// Runs every *.test.ts under the source folders with Node's test runner (TypeScript through tsx).
// Usage: npm test [-- <path filter>...]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

const roots = ['core', 'contract', 'api', 'agent-runtime', 'workers', 'cli', 'test'];
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
// The addresses of the services `npm run services:start` runs (LiveKit, stripe-mock, PostgreSQL); tests that need one
// and do not find it are skipped with a message naming that command. Variables already set win.
const servicesEnv = path.join(import.meta.dirname, '..', '.tools', 'services', 'env');
const services = existsSync(servicesEnv) ? parseEnv(readFileSync(servicesEnv, 'utf8')) : {};

// --test-force-exit: a file whose setup failed (a server or database left open) ends with its failure reported
// instead of keeping the whole run waiting forever.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...services, ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);

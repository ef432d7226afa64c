#!/usr/bin/env node
// Prints the dashboard's JavaScript sizes (raw and gzipped): what the first page load fetches (the entry script and its
// modulepreloads in index.html) against the chunks loaded on demand. Run `npm run build` first.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '../dashboard/dist');
const BUDGET_GZIP_BYTES = 300 * 1024;

const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]));
const chunks = readdirSync(path.join(dist, 'assets'))
  .filter((file) => file.endsWith('.js'))
  .map((file) => {
    const bytes = readFileSync(path.join(dist, 'assets', file));
    return { file: `assets/${file}`, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  })
  .sort((a, b) => Number(initial.has(b.file)) - Number(initial.has(a.file)) || b.gzip - a.gzip);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const rows = chunks.map((chunk) => [initial.has(chunk.file) ? 'initial' : 'lazy', chunk.file.replace(/^assets\//, ''), kb(chunk.raw), kb(chunk.gzip)]);
const firstLoad = chunks.filter((chunk) => initial.has(chunk.file)).reduce((sum, chunk) => sum + chunk.gzip, 0);
const lazy = chunks.filter((chunk) => !initial.has(chunk.file)).reduce((sum, chunk) => sum + chunk.gzip, 0);

console.log('| load | chunk | raw | gzip |');
console.log('|---|---|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nFirst load: ${kb(firstLoad)} gzipped JavaScript (budget ${kb(BUDGET_GZIP_BYTES)}); lazy chunks: ${kb(lazy)} gzipped.`);
if (firstLoad > BUDGET_GZIP_BYTES) {
  console.error('Over budget.');
  process.exit(1);
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * `.raw` is for an expression inside a builder query; a whole statement is written with the builder or the `sql`
 * template, so each repository reads one way and its values always travel as bindings (see docs/architecture.md).
 */
const folders = ['core/repositories', 'core/webhooks'];
const wholeStatementInRaw = /\.raw\(\s*[`'"]\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b/gi;

function repositorySources(): Array<{ path: string; text: string }> {
  return folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => ({ path: join(folder, name), text: readFileSync(join(folder, name), 'utf8') })),
  );
}

test('the style check reads the repository sources', () => {
  assert.ok(repositorySources().length > 10);
});

test('no repository writes a whole statement inside .raw', () => {
  const offenders = repositorySources().flatMap(({ path, text }) => [...text.matchAll(wholeStatementInRaw)].map((match) => `${path}: ${match[0]}`));
  assert.deepEqual(offenders, []);
});

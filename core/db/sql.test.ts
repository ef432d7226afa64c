import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlineSql, sql } from './sql.ts';

test('a template spliced into another keeps its text in place and its values in order', () => {
  const rows = sql`SELECT id FROM sessions WHERE org_id = ${'org_1'} AND id = ${'sess_1'}`;
  const statement = sql`UPDATE sessions SET ended_reason = ${'customer-ended'} WHERE id IN (${rows}) AND status = ${'created'}`;
  assert.deepEqual(statement.values, ['customer-ended', 'org_1', 'sess_1', 'created']);
  assert.equal(statement.strings.length, statement.values.length + 1);
  assert.equal(
    inlineSql(statement),
    `UPDATE sessions SET ended_reason = 'customer-ended' WHERE id IN (SELECT id FROM sessions WHERE org_id = 'org_1' AND id = 'sess_1') AND status = 'created'`,
  );
});

test('a value that looks like SQL stays a value', () => {
  assert.equal(inlineSql(sql`SELECT ${"x'); DROP TABLE sessions; --"}`), `SELECT 'x''); DROP TABLE sessions; --'`);
});

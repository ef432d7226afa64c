import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScriptPatterns, MAX_SCRIPT_COST } from './script-patterns.ts';

test("a script's patterns share one budget; past it the rest are refused without being compiled", () => {
  const big = '\\b[a-z]{1,450}\\b'; // a cost of about 900 each
  const results = [...compileScriptPatterns([...Array.from({ length: 34 }, () => big), 'hello', '(?=x)'])];
  const accepted = results.filter((result) => result.ok);
  assert.equal(accepted.length, 33);
  assert.ok(accepted.reduce((sum, result) => sum + (result.ok ? result.regex.cost : 0), 0) <= MAX_SCRIPT_COST);
  for (const result of results.slice(33)) {
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /cost more than 30,000 regex instructions in all/);
  }
});

test('a refused pattern does not spend the budget', () => {
  const results = [...compileScriptPatterns(['(a)\\1', 'hours|open'])];
  assert.equal(results[0]!.ok, false);
  assert.equal(results[1]!.ok, true);
});

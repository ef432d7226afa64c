import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTenantRegex, literalTenantRegex, MAX_PATTERN_COST } from './tenant-regex.ts';

function compiled(pattern: string) {
  const result = compileTenantRegex(pattern);
  assert.ok(result.ok, `${pattern}: ${result.ok ? '' : result.reason}`);
  return result.regex;
}

test('a catastrophic backtracking pattern is answered within 50 ms', () => {
  // The engine's first match in a process pays for compiling its own code; a running server has long paid it.
  compiled('(a+b+)+c').test('ab'.repeat(14));
  const regex = compiled('(x+x+)+y');
  const started = performance.now();
  assert.equal(regex.test('x'.repeat(27)), false);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 50, `took ${elapsed.toFixed(1)} ms`);
  assert.equal(regex.test('xxxy'), true);
});

test('JavaScript syntax tenants already write keeps its meaning, case-insensitively', () => {
  const cases: Array<[string, string, boolean]> = [
    ['hours|open', 'When are you OPEN?', true],
    ['\\bhi\\b', 'this is it', false],
    ['\\bhi\\b', 'Hi there', true],
    ['^(yes|yeah)\\b', 'Yeah, sure', true],
    ['order (?<number>\\d{3,8})', 'my order 12345', true],
    ['caf\\u00e9', 'CAFÉ au lait', true],
    ['\\x41\\d', 'a1', true],
    ['a\\/b', 'A/B', true],
    ['price.*\\$\\d+', 'the price is $30', true],
    ['colou?r', 'what colour', true],
    ['[^]', '', false],
    ['x{2,3}', 'xx', true],
    ['^[\\u00c0-\\u017f]+$', 'ÉÇŒ', true],
    ['[^]', 'anything', true],
  ];
  for (const [pattern, text, expected] of cases) assert.equal(compiled(pattern).test(text), expected, `${pattern} on ${text}`);
});

test('what the linear-time engine cannot run is refused with the reason', () => {
  const refusals: Array<[string, RegExp]> = [
    ['(a)\\1', /^uses a backreference \(\\1\), which the linear-time regex engine does not support$/],
    ['(?<w>a)\\k<w>', /backreference \(\\k<w>\)/],
    ['a(?=b)', /lookahead \(\(\?=…\)/],
    ['a(?!b)', /lookahead \(\(\?!…\)/],
    ['(?<=a)b', /lookbehind \(\(\?<=…\)/],
    ['(?<!a)b', /lookbehind \(\(\?<!…\)/],
    ['(', /^is not a valid regular expression \(.*Unterminated group\)$/],
    ['a{3,2}', /not a valid regular expression/],
    ['x{1001}', /too complex: it would cost more than 1,000 regex instructions/],
    ['(?:(?:abc|def){30}){30}', /too complex/],
    ['[\\u0000-\\uffff]', /too complex/], // case-folding 65,000 code points one by one takes RE2 about 12 ms
    ['\\PL'.repeat(11), /too complex/],
  ];
  for (const [pattern, reason] of refusals) {
    const result = compileTenantRegex(pattern);
    assert.equal(result.ok, false, pattern);
    assert.match(result.ok ? '' : result.reason, reason, pattern);
  }
});

test('the size limit is judged before compiling, so a pattern that would expand enormously costs nothing', () => {
  // 480 characters of alternatives repeated a thousand times: RE2 would build about 480,000 instructions.
  const alternatives = Array.from({ length: 40 }, (_, index) => `${String.fromCharCode(97 + (index % 26)).repeat(10)}${index}`).join('|');
  const result = compileTenantRegex(`(?:${alternatives.slice(0, 470)}){1000}`);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /too complex/);
  assert.ok(compiled('\\b[a-z]{1,450}\\b').cost <= MAX_PATTERN_COST);
});

test('literal patterns match text as written, optionally as whole words', () => {
  assert.equal(literalTenantRegex('a+b (c)').test('A+B (C)'), true);
  assert.equal(literalTenantRegex('a+b (c)').test('aab c'), false);
  assert.equal(literalTenantRegex('cat', true).test('Cat food'), true);
  assert.equal(literalTenantRegex('cat', true).test('concatenate'), false);
});

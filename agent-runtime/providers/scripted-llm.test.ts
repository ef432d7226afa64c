import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MATCH_BUDGET_MS, MAX_MATCHED_CHARS } from './script-matcher.ts';
import { ScriptedLLM } from './scripted-llm.ts';

test('the first matching rule answers, case-insensitively, else the default reply', async () => {
  const scripted = new ScriptedLLM({
    rules: [
      { pattern: 'hours|open', reply: 'Nine to five.' },
      { pattern: ['refund', 'money back'], reply: 'Refunds take a week.' },
      { pattern: '\\border (?<id>\\d+)', reply: 'Looking it up.' },
      { pattern: 'open', reply: 'Never reached.' },
    ],
    default_reply: 'Sorry?',
  });
  assert.equal(await scripted.replyFor('When are you OPEN?'), 'Nine to five.');
  assert.equal(await scripted.replyFor('I want my Money Back'), 'Refunds take a week.');
  assert.equal(await scripted.replyFor('refunded'), 'Sorry?', 'keywords match whole words');
  assert.equal(await scripted.replyFor('Where is order 42?'), 'Looking it up.');
  assert.equal(await scripted.replyFor('reorder 42'), 'Sorry?');
});

test('a catastrophic backtracking pattern is answered within 50 ms', async () => {
  const scripted = new ScriptedLLM({ rules: [{ pattern: '(x+x+)+y', reply: 'Matched.' }], default_reply: 'Sorry?' });
  await scripted.replyFor('hello'); // the session's first turn: the engine and this script are warm from here on
  const started = performance.now();
  const reply = await scripted.replyFor('x'.repeat(27));
  const elapsed = performance.now() - started;
  assert.equal(reply, 'Sorry?');
  assert.ok(elapsed < 50, `answered in ${elapsed.toFixed(1)} ms`);
});

test('a pattern stored before patterns were checked is taken literally, never run on a backtracking engine', async () => {
  const scripted = new ScriptedLLM({ rules: [{ pattern: '(a)\\1', reply: 'Literal.' }, { pattern: '(?=x)(x+x+)+y', reply: 'Lookahead.' }], default_reply: 'Sorry?' });
  assert.equal(await scripted.replyFor('aa'), 'Sorry?');
  assert.equal(await scripted.replyFor('say (A)\\1 please'), 'Literal.');
  assert.equal(await scripted.replyFor('x'.repeat(27)), 'Sorry?');
});

test(`rules see the first ${MAX_MATCHED_CHARS} characters of a message`, async () => {
  const scripted = new ScriptedLLM({ rules: [{ pattern: 'needle', reply: 'Found.' }], default_reply: 'Sorry?' });
  assert.equal(await scripted.replyFor(`${'a'.repeat(MAX_MATCHED_CHARS - 6)}needle`), 'Found.');
  assert.equal(await scripted.replyFor(`${'a'.repeat(MAX_MATCHED_CHARS)}needle${'b'.repeat(100_000)}`), 'Sorry?');
});

test(`a script built to be slow answers with its default reply once ${MATCH_BUDGET_MS} ms of matching is spent`, async () => {
  // Within every limit the API checks (199 × 47 instructions), yet each rule's automaton grows with every character of
  // a random a/b message: all 199 take about a second here.
  const slow = Array.from({ length: 199 }, (_, index) => ({ pattern: `(?:a|b)*a(?:a|b){40}z${index}`, reply: 'Slow.' }));
  const scripted = new ScriptedLLM({ rules: [...slow, { pattern: 'needle', reply: 'Found.' }], default_reply: 'Sorry?' });
  let text = '';
  let seed = 1;
  for (let index = 0; index < MAX_MATCHED_CHARS - 10; index++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; // a fixed pseudo-random sequence: no two windows alike
    text += seed & 0x10000 ? 'a' : 'b';
  }
  assert.equal(await scripted.replyFor(`${text} needle`), 'Sorry?');
  assert.equal(await scripted.replyFor('needle'), 'Found.', 'a short message still reaches the last rule');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import { EndCallRules, type EndCallSession } from './end-call-rules.ts';

/** A stand-in session: records what is said and how it ends; `say` plays out at once. */
function standIn(assistant: Partial<AssistantSnapshot>, options: { started?: boolean } = {}) {
  const said: Array<{ text: string; allowInterruptions: boolean | undefined }> = [];
  const ends: string[] = [];
  let ending = false;
  const session: EndCallSession = {
    assistant: () => assistant as AssistantSnapshot,
    agentSession: () =>
      options.started === false
        ? undefined
        : ({
            say: (text: string, sayOptions?: { allowInterruptions?: boolean }) => {
              said.push({ text, allowInterruptions: sayOptions?.allowInterruptions });
              return { waitForPlayout: async () => {} };
            },
          } as never),
    ending: () => ending,
    end: async (reason) => {
      ending = true;
      ends.push(reason);
    },
    warn: () => {},
  };
  return { rules: new EndCallRules(session), said, ends };
}

test("the assistant's own end phrase ends the call at once, with no goodbye", async () => {
  const { rules, said, ends } = standIn({ end_call_phrases: ['Goodbye'], end_call_message: 'Bye now.' });
  rules.heard('Thanks for calling, goodbye!', 'assistant');
  await Promise.resolve();
  assert.deepEqual(ends, ['assistant-ended']);
  assert.deepEqual(said, []);
});

test("a user's end phrase gets the end-call message first, not interruptible, then ends", async () => {
  const { rules, said, ends } = standIn({ end_call_phrases: ['hang up'], end_call_message: 'Bye now.' });
  rules.heard('Please HANG UP the call', 'user');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(said, [{ text: 'Bye now.', allowInterruptions: false }]);
  assert.deepEqual(ends, ['assistant-ended']);
});

test('no phrase, no phrases configured, or already ending: nothing happens', async () => {
  const configured = standIn({ end_call_phrases: ['bye'], end_call_message: null });
  configured.rules.heard('Tell me more', 'user');
  const none = standIn({ end_call_phrases: [] });
  none.rules.heard('bye', 'user');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([...configured.ends, ...none.ends], []);
  configured.rules.heard('bye', 'assistant');
  configured.rules.heard('bye', 'assistant');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(configured.ends, ['assistant-ended']);
});

test('the end_call tool before the agent has started: ends without a goodbye', async () => {
  const { rules, said, ends } = standIn({ end_call_message: 'Bye now.' }, { started: false });
  await rules.endAfterGoodbye();
  assert.deepEqual(said, []);
  assert.deepEqual(ends, ['assistant-ended']);
});

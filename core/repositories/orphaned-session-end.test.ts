import assert from 'node:assert/strict';
import { test } from 'node:test';
import { usageFromPersisted, type PersistedSession } from './orphaned-session-end.ts';

const startedAt = new Date('2026-12-05T10:00:00.000Z');
const endedAt = new Date('2026-12-05T10:01:30.000Z');
const message = (role: string, text: string, start_ms: number | null, end_ms: number | null) => ({ role, text, start_ms, end_ms });

test('usage of an orphaned session: microphone and transcriber over the whole call, the stored replies as heard', () => {
  const session: PersistedSession = {
    startedAt,
    endedAt,
    assistant: { transcriber: { provider: 'deepgram', model: 'nova-3' } },
    messages: [
      message('assistant', 'Hello there.', 200, 1400),
      message('user', 'What time is it?', 2000, 3000),
      message('assistant', 'It is ten.', 3600, 4500),
      // A tool call has no audio; an assistant row without timings adds its text only.
      message('tool', '', 4600, 4600),
      message('assistant', 'Bye.', null, null),
    ],
  };
  assert.deepEqual(usageFromPersisted(session), {
    audio_in_ms: 90_000,
    audio_out_ms: 1200 + 900,
    stt_audio_ms: 90_000,
    llm_prompt_tokens: 0,
    llm_completion_tokens: 0,
    tts_characters: 'Hello there.'.length + 'It is ten.'.length + 'Bye.'.length,
  });
});

test('usage of an orphaned session: no transcriber hears nothing; a session that never started used nothing', () => {
  const noTranscriber = usageFromPersisted({ startedAt, endedAt, assistant: { transcriber: { provider: 'none' } }, messages: [] });
  assert.equal(noTranscriber.stt_audio_ms, 0);
  assert.equal(noTranscriber.audio_in_ms, 90_000);
  const neverStarted = usageFromPersisted({ startedAt: null, endedAt, assistant: {}, messages: [] });
  assert.deepEqual(Object.values(neverStarted), [0, 0, 0, 0, 0, 0]);
});

test('usage of an orphaned session: reply spans never exceed the call (clock skew between processes)', () => {
  const usage = usageFromPersisted({ startedAt, endedAt: new Date(startedAt.getTime() + 1000), assistant: {}, messages: [message('assistant', 'Hi', 0, 5000)] });
  assert.equal(usage.audio_out_ms, 1000);
});

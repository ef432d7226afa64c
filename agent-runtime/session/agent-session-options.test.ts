import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAssistantBody } from '../../core/domain/assistant-config.ts';
import { parseAssistantSnapshot } from '../config/assistant-snapshot.ts';
import type { SessionProviders } from '../providers/provider-factory.ts';
import { agentSessionOptions } from './agent-session-options.ts';

// Stand-ins: the options only carry the providers through.
const providers = (withStt: boolean) => ({ vad: { name: 'vad' }, llm: { name: 'llm' }, tts: { name: 'tts' }, ...(withStt ? { stt: { name: 'stt' } } : {}) }) as unknown as SessionProviders;
const snapshot = async (turn: Record<string, unknown> = {}) =>
  parseAssistantSnapshot(JSON.parse(JSON.stringify(await createAssistantBody.parseAsync({ name: 'A', system_prompt: 'Hi.', turn }))));

test('the assistant turn settings become the library turn handling', async () => {
  const assistant = await snapshot({ interruptions_enabled: false, interruption_min_duration_ms: 300, interruption_min_words: 2, endpointing_min_delay_ms: 400, endpointing_max_delay_ms: 2000 });
  const given = providers(true);
  const options = agentSessionOptions(assistant, given);
  assert.deepEqual(options.turnHandling, {
    turnDetection: 'vad',
    endpointing: { minDelay: 400, maxDelay: 2000 },
    interruption: { enabled: false, minDuration: 300, minWords: 2, resumeFalseInterruption: false },
  });
  assert.deepEqual([options.vad, options.stt, options.llm, options.tts], [given.vad, given.stt, given.llm, given.tts]);
  assert.equal(options.aecWarmupDuration, 0);
  assert.equal(options.userAwayTimeout, null);
});

test('with no transcriber, turns come only from typed text and no STT is given', async () => {
  const options = agentSessionOptions(await snapshot(), providers(false));
  assert.equal(options.turnHandling?.turnDetection, 'manual');
  assert.equal('stt' in options, false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAssistantBody } from '../../core/domain/assistant-config.ts';
import { parseAssistantSnapshot } from './assistant-snapshot.ts';

// Sessions run the snapshot of an assistant the REST API stored, defaults filled in (nulls included): every
// configuration the API accepts must be one the runtime accepts.
const models = [{ provider: 'openai' }, { provider: 'scripted', script: { default_reply: 'Hi.' } }];
const voices = [{ provider: 'elevenlabs', voice_id: 'v' }, { provider: 'openai' }, { provider: 'local' }];
const transcribers = [{ provider: 'deepgram' }, { provider: 'openai' }, { provider: 'none' }];

test('every provider combination the REST API accepts, with its defaults, runs as a session snapshot', async () => {
  for (const model of models) {
    for (const voice of voices) {
      for (const transcriber of transcribers) {
        const stored = JSON.parse(JSON.stringify(await createAssistantBody.parseAsync({ name: 'A', system_prompt: 'Be brief.', model, voice, transcriber })));
        const snapshot = parseAssistantSnapshot(stored);
        assert.equal(snapshot.model.provider, model.provider);
        assert.equal(snapshot.voice.provider, voice.provider);
        assert.equal(snapshot.transcriber.provider, transcriber.provider);
      }
    }
  }
});

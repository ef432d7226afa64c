import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeepgramFake } from '../fakes/deepgram-fake.ts';
import type { ElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { waitForSessionEnd, type StreamHarness } from '../support/stream-harness.ts';
import { startProviderFakesStack, type ProviderFakesStack } from '../support/provider-fakes-stack.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A provider that goes down while a session is live: its stream is cut and it refuses to reconnect. The library retries
 * a few times; then the session tells the client what failed and ends as `provider-error:<provider>`, never hanging.
 * A drop the provider recovers from at once is survived: the plugin reconnects and the call goes on.
 */
describe('a provider outage in the middle of a session', () => {
  let harness: StreamHarness;
  let deepgram: DeepgramFake;
  let elevenlabs: ElevenLabsFake;

  let assistant: ProviderFakesStack['assistant'];
  let stack: ProviderFakesStack;

  before(async () => {
    stack = await startProviderFakesStack(() => ({ text: 'We open at nine.' }));
    ({ harness, deepgram, elevenlabs, assistant } = stack);
  });
  after(() => stack.close());

  for (const [provider, outage] of [
    ['deepgram', () => deepgram],
    ['elevenlabs', () => elevenlabs],
  ] as const) {
    it(`${provider} going down ends the session as provider-error:${provider}`, async () => {
      const session = await harness.createSession(assistant());
      const client = harness.connect(session);
      await client.waitFor('session.started', { includePast: true });
      // The caller's microphone streams (silence) the whole time, as a real one does.
      const microphone = openMicrophone(client);
      // A typed turn first: the session is really live, its streams open.
      client.sendText('When do you open?');
      await client.waitFor('transcript', { includePast: true, timeoutMs: 20_000, predicate: (event) => event.role === 'assistant' && event.final });
      outage().fail();
      try {
        if (provider === 'elevenlabs') client.sendText('And on Sunday?');
        const error = await client.waitFor('error', { includePast: true, timeoutMs: 60_000 });
        assert.equal(error.code, 'provider_error');
        const ended = await client.waitFor('session.ended', { includePast: true, timeoutMs: 30_000 });
        assert.equal(ended.reason, `provider-error:${provider}`);
        const row = await waitForSessionEnd(harness.db, session.id);
        assert.equal(row.status, 'failed');
        assert.equal(row.ended_reason, `provider-error:${provider}`);
      } finally {
        microphone.stop();
        outage().recover();
      }
    });
  }

  it('a Deepgram stream dropped once is reconnected, and the caller is heard again', async () => {
    const session = await harness.createSession(assistant());
    const client = harness.connect(session);
    await client.waitFor('session.started', { includePast: true });
    const microphone = openMicrophone(client);
    try {
      await waitFor(() => deepgram.connections.some((connection) => connection.audioBytes > 0), 'audio reaching Deepgram');
      const connectionsBefore = deepgram.connections.length;
      deepgram.fail();
      deepgram.recover();
      await waitFor(() => deepgram.connections.length > connectionsBefore, 'the plugin reconnecting');
      deepgram.nextUtterance('When do you open?');
      await microphone.say(loadSpeech('what-are-your-opening-hours'));
      const heard = await client.waitFor('transcript', { includePast: true, timeoutMs: 20_000, predicate: (event) => event.role === 'user' && event.final });
      assert.equal(heard.text, 'When do you open?');
    } finally {
      microphone.stop();
    }
    client.end();
    assert.equal((await waitForSessionEnd(harness.db, session.id)).ended_reason, 'customer-ended');
  });
});

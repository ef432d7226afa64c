import assert from 'node:assert/strict';
import { describe, it } from 'node:test';



import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { waitForSessionEnd } from '../support/stream-harness.ts';
import { useProviderFakesStack } from '../support/provider-fakes-stack.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A provider that fails while a session is live, for each kind: speech-to-text and text-to-speech streams cut (at once or
 * partway through speech) with reconnects refused, the model answering 429 or 500 or dropping its reply stream
 * partway. The library retries a few times; then the session tells the client what failed and ends as
 * `provider-error:<provider>`, never hanging. A failure the provider recovers from at once is survived: the plugin
 * reconnects or retries and the call goes on.
 */
describe('a provider outage in the middle of a session', () => {
  const stack = useProviderFakesStack(() => ({ text: 'We open at nine.' }));

  /**
   * A live session (its streams open after one typed turn) in which `breakProvider` breaks a provider, then the turn
   * `nextTurn` types (if any): the client is told what failed and the session ends as `provider-error:<provider>`.
   */
  async function expectProviderError(provider: string, breakProvider: () => void, nextTurn?: string): Promise<void> {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    // The caller's microphone streams (silence) the whole time, as a real one does.
    const microphone = openMicrophone(client);
    client.sendText('When do you open?');
    await client.waitFor('transcript', { includePast: true, timeoutMs: 20_000, predicate: (event) => event.role === 'assistant' && event.final });
    breakProvider();
    try {
      if (nextTurn) client.sendText(nextTurn);
      const error = await client.waitFor('error', { includePast: true, timeoutMs: 60_000 });
      assert.equal(error.code, 'provider_error');
      const ended = await client.waitFor('session.ended', { includePast: true, timeoutMs: 30_000 });
      assert.equal(ended.reason, `provider-error:${provider}`);
      const row = await waitForSessionEnd(stack.harness.db, session.id);
      assert.equal(row.status, 'failed');
      assert.equal(row.ended_reason, `provider-error:${provider}`);
    } finally {
      microphone.stop();
      stack.deepgram.recover();
      stack.elevenlabs.recover();
      stack.openai.recover();
    }
  }

  it('deepgram going down ends the session as provider-error:deepgram', () => expectProviderError('deepgram', () => stack.deepgram.fail()));

  it('elevenlabs going down ends the session as provider-error:elevenlabs', () =>
    expectProviderError('elevenlabs', () => stack.elevenlabs.fail(), 'And on Sunday?'));

  it('elevenlabs dropping the stream partway through a reply ends the session as provider-error:elevenlabs', () =>
    expectProviderError('elevenlabs', () => stack.elevenlabs.failAfter(1), 'And on Sunday?'));

  it('openai answering 429 to every request ends the session as provider-error:openai', () =>
    expectProviderError('openai', () => stack.openai.failChat(429), 'And on Sunday?'));

  it('openai answering 500 to every request ends the session as provider-error:openai', () =>
    expectProviderError('openai', () => stack.openai.failChat(500), 'And on Sunday?'));

  it('openai dropping every reply stream partway ends the session as provider-error:openai', () =>
    expectProviderError('openai', () => stack.openai.dropChatAfter(3), 'And on Sunday?'));

  it('one 503 from openai is retried by the library, and the caller gets the reply', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    const requestsBefore = stack.openai.chatRequests.length;
    stack.openai.failChat(503, 1);
    try {
      client.sendText('When do you open?');
      const reply = await client.waitFor('transcript', { includePast: true, timeoutMs: 30_000, predicate: (event) => event.role === 'assistant' && event.final });
      assert.equal(reply.text, 'We open at nine.');
      assert.equal(stack.openai.chatRequests.length - requestsBefore, 2, 'the refused request and its retry');
    } finally {
      stack.openai.recover();
    }
    client.end();
    assert.equal((await waitForSessionEnd(stack.harness.db, session.id)).ended_reason, 'customer-ended');
  });

  it('a Deepgram stream dropped once is reconnected, and the caller is heard again', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    const microphone = openMicrophone(client);
    try {
      await waitFor(() => stack.deepgram.connections.some((connection) => connection.audioBytes > 0), 'audio reaching Deepgram');
      const connectionsBefore = stack.deepgram.connections.length;
      stack.deepgram.fail();
      stack.deepgram.recover();
      await waitFor(() => stack.deepgram.connections.length > connectionsBefore, 'the plugin reconnecting');
      stack.deepgram.nextUtterance('When do you open?');
      await microphone.say(loadSpeech('what-are-your-opening-hours'));
      const heard = await client.waitFor('transcript', { includePast: true, timeoutMs: 20_000, predicate: (event) => event.role === 'user' && event.final });
      assert.equal(heard.text, 'When do you open?');
    } finally {
      microphone.stop();
    }
    client.end();
    assert.equal((await waitForSessionEnd(stack.harness.db, session.id)).ended_reason, 'customer-ended');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { useStreamHarness, waitForSessionEnd } from '../support/stream-harness.ts';

const harness = useStreamHarness();

const talkative = {
  name: 'Talkative',
  system_prompt: '',
  first_message: 'Hello and welcome. This greeting is long on purpose, so that it is still playing when the server stops and the shutdown has to cut it short.',
  model: { provider: 'scripted', script: { rules: [], default_reply: 'Okay.' } },
  voice: { provider: 'local', voice_id: 'en-us' },
  transcriber: { provider: 'none' },
};

/** Every frame the client receives, in order: JSON events by type, audio as `binary`. */
function recordFrames(session: { id: string; token: string }) {
  const frames: string[] = [];
  const socket = new WebSocket(`${harness.baseUrl}/v1/sessions/${session.id}/stream?token=${session.token}`);
  let onFrame = () => {};
  socket.on('message', (data, isBinary) => {
    frames.push(isBinary ? 'binary' : (JSON.parse(data.toString()) as { type: string }).type);
    onFrame();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      onFrame = () => done() && resolve();
      onFrame();
    });
  return { frames, closed, until };
}

test('during a server shutdown the client receives nothing after session.ended', async () => {
  const session = await harness.createSession(talkative);
  const client = recordFrames(session);
  // Mid-greeting: the greeting has started and some of its audio has arrived.
  await client.until(() => client.frames.filter((frame) => frame === 'binary').length >= 10);
  await harness.gateway.shutdownAll(5000);
  assert.equal(await client.closed, 1000);
  const ended = client.frames.indexOf('session.ended');
  assert.ok(ended >= 0, 'session.ended was sent');
  assert.deepEqual(client.frames.slice(ended + 1), [], 'no frame follows session.ended');
  assert.equal((await waitForSessionEnd(harness.db, session.id)).ended_reason, 'server-shutdown');
});

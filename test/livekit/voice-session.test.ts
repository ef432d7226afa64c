// A LiveKit session end to end on the real LiveKit server: created over REST, joined by a customer with
// @livekit/rtc-node, spoken to through a microphone track, answered on the agent's track — and stored exactly like a
// WebSocket session of the same assistant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake.ts';
import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { liveKitTestServer } from '../support/services.ts';
import { sessionEvents, sessionMessages, waitForSessionEnd } from '../support/stream-harness.ts';
import { LiveKitCustomer } from './support/livekit-customer.ts';
import { startLiveKitStack, type LiveKitStack } from './support/livekit-stack.ts';

const { service: server, skip } = liveKitTestServer();

const GREETING = 'Hello, this is the front desk.';
const OPENING_HOURS = 'What are your opening hours on Saturday?';
const HOURS_REPLY = 'On Saturday we are open from ten to four.';
const SERVICES = 'Tell me about your services.';
const STOP = 'Wait, stop, I have a different question.';
const LONG_REPLY = Array.from({ length: 8 }, (_, i) => `This is sentence number ${i + 1} of a long answer about our many services.`).join(' ');

describe('a LiveKit session on the real LiveKit server', { skip }, () => {
  let stack: LiveKitStack;
  let deepgram: DeepgramFake;
  let elevenlabs: ElevenLabsFake;
  let openai: OpenAiFake;
  let assistantId: string;

  before(async () => {
    deepgram = await startDeepgramFake({ apiKey: 'dg-test-key' });
    elevenlabs = await startElevenLabsFake({ apiKey: 'el-test-key' });
    openai = await startOpenAiFake((body) => {
      const said = String(body.messages.at(-1)?.content ?? '');
      if (said.includes('services')) return { text: LONG_REPLY };
      return { text: said.includes('opening hours') ? HOURS_REPLY : 'Okay.' };
    }, { apiKey: 'sk-test-key' });
    // Deepgram's endpoint is a WebSocket origin: it goes with the organization's key, not in the assistant.
    stack = await startLiveKitStack(server!, {
      transcode: true,
      providerKeys: { openai: { api_key: 'sk-test-key' }, deepgram: { api_key: 'dg-test-key', base_url: deepgram.baseUrl }, elevenlabs: { api_key: 'el-test-key' } },
    });
    const created = await stack.call('POST', '/v1/assistants', {
      name: 'Front desk',
      system_prompt: 'You answer questions about the shop.',
      first_message: GREETING,
      model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl },
      voice: { provider: 'elevenlabs', voice_id: 'fake-voice', base_url: elevenlabs.baseUrl },
      transcriber: { provider: 'deepgram', model: 'nova-3' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assistantId = created.body.id;
  });
  after(async () => {
    await stack?.close();
    await Promise.all([deepgram?.close(), elevenlabs?.close(), openai?.close()]);
    await dispose();
  });

  /** Greeting, one spoken question and its answer; then the customer hangs up its way. */
  async function converse(transport: 'livekit' | 'websocket'): Promise<string> {
    const created = await stack.call('POST', '/v1/sessions', { assistant_id: assistantId, transport });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    if (transport === 'livekit') {
      const customer = await LiveKitCustomer.join(created.body.livekit);
      try {
        await customer.waitFor('session.started');
        await customer.waitFor('assistant.audio.done');
        assert.ok(customer.loudMs > 500, `the greeting was heard on the agent's track (${customer.loudMs} ms)`);
        const greetingMs = customer.loudMs;
        deepgram.nextUtterance(OPENING_HOURS);
        await customer.say(loadSpeech('what-are-your-opening-hours'));
        await customer.waitFor('transcript', { predicate: (event) => event.role === 'user' && event.final });
        await customer.waitFor('turn.metrics');
        await customer.waitFor('assistant.audio.done', { predicate: (event) => event.receivedAt > 0 && customer.events.filter((e) => e.type === 'assistant.audio.done').length >= 2 });
        assert.ok(customer.loudMs - greetingMs > 500, `the reply was heard on the agent's track (${customer.loudMs - greetingMs} ms)`);
        await customer.send({ type: 'session.end' });
        await customer.waitFor('session.ended');
        const finals = customer.transcriptions.filter((transcription) => transcription.final).map((transcription) => transcription.text);
        assert.deepEqual(finals, [GREETING, OPENING_HOURS, HOURS_REPLY], 'the transcription stream carries the same transcript');
      } finally {
        await customer.leave();
      }
    } else {
      const client = stack.connectWebSocket(created.body);
      await client.waitFor('session.started', { includePast: true });
      const microphone = openMicrophone(client);
      try {
        await client.waitFor('assistant.audio.done', { includePast: true });
        deepgram.nextUtterance(OPENING_HOURS);
        await microphone.say(loadSpeech('what-are-your-opening-hours'));
        await client.waitFor('turn.metrics', { includePast: true });
        await waitForEvents(() => client.events.filter((event) => event.type === 'assistant.audio.done').length >= 2);
      } finally {
        microphone.stop();
      }
      client.end();
    }
    return created.body.id;
  }

  it('greets, hears the customer, answers, and stores what a WebSocket session of the same assistant stores', async () => {
    const liveKitId = await converse('livekit');
    const webSocketId = await converse('websocket');
    const [liveKit, webSocket] = await Promise.all([waitForSessionEnd(stack.api.db, liveKitId), waitForSessionEnd(stack.api.db, webSocketId)]);
    assert.equal(liveKit.status, 'ended');
    assert.equal(liveKit.ended_reason, 'customer-ended');
    assert.equal(liveKit.transport, 'livekit');

    const transcript = async (id: string) => (await sessionMessages(stack.api.db, id)).map((message) => [message.role, message.text, message.interrupted]);
    assert.deepEqual(await transcript(liveKitId), [['assistant', GREETING, false], ['user', OPENING_HOURS, false], ['assistant', HOURS_REPLY, false]]);
    assert.deepEqual(await transcript(liveKitId), await transcript(webSocketId));

    const [, user, reply] = await sessionMessages(stack.api.db, liveKitId);
    assert.ok(user.end_ms > user.start_ms && reply.start_ms >= user.end_ms, `user ${user.start_ms}..${user.end_ms}, reply from ${reply.start_ms}`);
    for (const key of ['e2e_ms', 'end_of_turn_delay_ms', 'llm_ttft_ms', 'tts_ttfb_ms']) assert.equal(typeof reply.metrics[key], 'number', key);

    for (const key of ['audio_in_ms', 'audio_out_ms', 'stt_audio_ms']) assert.ok(liveKit.usage[key] > 2000, `${key} ${liveKit.usage[key]}`);
    assert.equal(liveKit.usage.tts_characters, webSocket.usage.tts_characters);
    assert.equal(liveKit.latency.turns, 1);

    const eventTypes = async (id: string) => (await sessionEvents(stack.api.db, id)).map((event) => event.type).filter((type) => !type.startsWith('recording.'));
    assert.deepEqual(await eventTypes(liveKitId), await eventTypes(webSocketId));
    const ended = (await sessionEvents(stack.api.db, liveKitId)).find((event) => event.type === 'session.ended');
    assert.deepEqual(ended.data.transcript.map((item: { text: string }) => item.text), [GREETING, OPENING_HOURS, HOURS_REPLY]);
    const started = (await sessionEvents(stack.api.db, liveKitId)).find((event) => event.type === 'session.started');
    assert.equal(started.data.transport, 'livekit');

    const rooms = new RoomServiceClient(server!.url, server!.apiKey, server!.apiSecret);
    await waitForEvents(async () => (await rooms.listRooms([liveKitId])).length === 0);

    // The same stereo recorder was fed from the room's tracks: it is transcoded, and its HLS master plays.
    let recording: { status: string; duration_ms: number; playback?: { hls_url: string } } | undefined;
    await waitForEvents(async () => {
      recording = (await stack.call('GET', `/v1/sessions/${liveKitId}/recording`)).body;
      return recording?.status === 'ready' || recording?.status === 'failed';
    }, 60_000);
    assert.equal(recording!.status, 'ready');
    assert.ok(recording!.duration_ms > 4000, `recording of ${recording!.duration_ms} ms`);
    const master = await fetch(recording!.playback!.hls_url);
    assert.equal(master.status, 200);
    const variant = (await master.text()).split('\n').find((line) => line && !line.startsWith('#'))!;
    const media = await fetch(new URL(variant, recording!.playback!.hls_url));
    assert.equal(media.status, 200);
    const segment = (await media.text()).split('\n').find((line) => line && !line.startsWith('#'))!;
    const bytes = await (await fetch(new URL(segment, media.url))).arrayBuffer();
    assert.ok(bytes.byteLength > 1000, 'a segment of the recording downloads');
  });

  it('speaking over a reply stops the agent track and stores the reply cut where the customer stopped hearing it', async () => {
    const created = await stack.call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit' });
    const customer = await LiveKitCustomer.join(created.body.livekit);
    try {
      await customer.waitFor('assistant.audio.done');
      deepgram.nextUtterance(SERVICES);
      await customer.say(loadSpeech('what-are-your-opening-hours'));
      const replyStarted = await customer.waitFor('assistant.audio.started', { predicate: (event) => customer.events.indexOf(event) > customer.events.findIndex((e) => e.type === 'assistant.audio.done') });
      await waitForEvents(() => Date.now() - replyStarted.receivedAt > 2000);
      deepgram.nextUtterance(STOP);
      const spoken = customer.say(loadSpeech('stop-please'));
      const speechStarts = () => customer.events.filter((event) => event.type === 'user.speech.started').length;
      const before = speechStarts();
      await waitForEvents(() => speechStarts() > before);
      const loudAtInterruption = customer.loudMs;
      const cleared = await customer.waitFor('assistant.audio.cleared');
      assert.ok(cleared.played_ms > 0);
      await spoken;
      // The fake transcriber may hear the tail of the fixture as an utterance of its own.
      await customer.waitFor('transcript', { predicate: (event) => event.role === 'user' && event.final && event.text.startsWith(STOP) });
      // Agent audio carried on past the interruption's start for less than a second of audio, then stopped.
      const loudAfter = customer.loudMs - loudAtInterruption;
      assert.ok(loudAfter < 1000, `${loudAfter} ms of agent audio after the customer started speaking over it`);
      await customer.send({ type: 'session.end' });
      await customer.waitFor('session.ended');
    } finally {
      await customer.leave();
    }
    await waitForSessionEnd(stack.api.db, created.body.id);
    const interrupted = (await sessionMessages(stack.api.db, created.body.id)).find((message) => message.role === 'assistant' && message.interrupted);
    assert.ok(interrupted, 'the reply is stored as interrupted');
    assert.ok(interrupted.text.length > 0 && interrupted.text.length < LONG_REPLY.length && LONG_REPLY.startsWith(interrupted.text), `cut at what was heard: "${interrupted.text}"`);
  });

  it('interruptions switched off over the data topic let the reply play out under the customer\'s speech', async () => {
    const created = await stack.call('POST', '/v1/sessions', { assistant_id: assistantId, transport: 'livekit' });
    const customer = await LiveKitCustomer.join(created.body.livekit);
    try {
      await customer.waitFor('assistant.audio.done');
      await customer.send({ type: 'interruptions.set', enabled: false });
      await customer.send({ type: 'ping', id: 'after-toggle' });
      // Commands travel in order on the reliable channel: the pong says the switch has been applied.
      await customer.waitFor('pong', { predicate: (event) => event.id === 'after-toggle' });
      await customer.send({ type: 'user.text', text: SERVICES });
      await customer.waitFor('assistant.audio.started', { predicate: (event) => customer.events.indexOf(event) > customer.events.findIndex((e) => e.type === 'assistant.audio.done') });
      deepgram.nextUtterance(STOP);
      await customer.say(loadSpeech('stop-please'));
      const reply = await customer.waitFor('transcript', { predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('sentence number'), timeoutMs: 60_000 });
      assert.equal(reply.interrupted, false);
      assert.equal(withoutSpaces(reply.text), withoutSpaces(LONG_REPLY), 'the whole reply played');
      assert.equal(customer.events.filter((event) => event.type === 'assistant.audio.cleared').length, 0);
      await customer.send({ type: 'session.end' });
      await customer.waitFor('session.ended');
    } finally {
      await customer.leave();
    }
    const messages = await sessionMessages(stack.api.db, created.body.id);
    assert.ok(messages.some((message) => message.role === 'assistant' && withoutSpaces(message.text) === withoutSpaces(LONG_REPLY) && !message.interrupted));
  });
});

/** The TTS joins the reply's sentences without the space between them. */
const withoutSpaces = (text: string) => text.replace(/\s/g, '');

async function waitForEvents(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

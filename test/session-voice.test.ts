import assert from 'node:assert/strict';
import { describe, it } from 'node:test';



import { loadSpeech, openMicrophone } from './support/microphone.ts';
import { waitFor } from './support/wait-for.ts';
import { sessionMessages, waitForSessionEnd } from './support/stream-harness.ts';
import { useProviderFakesStack } from './support/provider-fakes-stack.ts';

const OPENING_HOURS = 'What are your opening hours on Saturday?';
const HOURS_REPLY = 'On Saturday we are open from ten to four.';
const STOP = 'Wait, stop, I have a different question.';
const LONG_REPLY = Array.from({ length: 8 }, (_, i) => `This is sentence number ${i + 1} of a long answer about our many services.`).join(' ');
const SHORT_REPLY = 'Sure, our shop sells bicycles and repairs them.';

describe('spoken sessions through the Deepgram, OpenAI and ElevenLabs plugins', () => {
  const stack = useProviderFakesStack((body) => {
    const said = String(body.messages.at(-1)?.content ?? '');
    if (said.includes('opening hours')) return { text: HOURS_REPLY };
    if (said.includes('services')) return { text: LONG_REPLY };
    if (said.includes('shop')) return { text: SHORT_REPLY };
    return { text: 'Okay.' };
  });

  it('a spoken turn gets speech events, a final transcript, assistant audio, metrics and stored offsets', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    const microphone = openMicrophone(client);
    try {
      stack.deepgram.nextUtterance(OPENING_HOURS);
      await microphone.say(loadSpeech('what-are-your-opening-hours'));
      await client.waitFor('user.speech.started', { includePast: true });
      const userFinal = await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'user' && event.final });
      assert.equal(userFinal.text, OPENING_HOURS);
      await client.waitFor('assistant.audio.started', { includePast: true });
      const metrics = await client.waitFor('turn.metrics', { includePast: true });
      assert.equal(typeof metrics.e2e_ms, 'number');
      assert.equal(typeof metrics.llm_ttft_ms, 'number');
      assert.equal(typeof metrics.tts_ttfb_ms, 'number');
      await client.waitFor('assistant.audio.done', { includePast: true });
      assert.ok(client.audioBytes > 16000, 'assistant audio reached the client');
    } finally {
      microphone.stop();
    }
    client.end();
    const row = await waitForSessionEnd(stack.harness.db, session.id);
    assert.equal(row.ended_reason, 'customer-ended');
    assert.ok(row.usage.audio_in_ms > 2000, `audio_in_ms ${row.usage.audio_in_ms}`);
    // Counted by the session, not from Deepgram's 5 s usage batches (a short session used to report 0).
    assert.ok(row.usage.stt_audio_ms > 2000 && row.usage.stt_audio_ms <= row.usage.audio_in_ms, `stt_audio_ms ${row.usage.stt_audio_ms}`);
    assert.equal(row.latency.turns, 1);

    const messages = await sessionMessages(stack.harness.db, session.id);
    assert.deepEqual(messages.map((message) => [message.role, message.text]), [['user', OPENING_HOURS], ['assistant', HOURS_REPLY]]);
    const [user, reply] = messages;
    assert.ok(user.start_ms !== null && user.end_ms !== null && user.end_ms > user.start_ms, `user ${user.start_ms}..${user.end_ms}`);
    assert.ok(reply.start_ms >= user.end_ms, `reply starts ${reply.start_ms} after user ends ${user.end_ms}`);
    assert.equal(reply.interrupted, false);
    for (const key of ['e2e_ms', 'end_of_turn_delay_ms', 'llm_ttft_ms', 'tts_ttfb_ms']) assert.equal(typeof reply.metrics[key], 'number', key);

    // What the plugins sent on the wire.
    const listen = stack.deepgram.connections.at(-1)!;
    assert.equal(listen.query.get('encoding'), 'linear16');
    assert.equal(listen.query.get('sample_rate'), '16000');
    assert.ok(listen.audioBytes > 0);
    const context = stack.elevenlabs.contexts.find((candidate) => candidate.flushed.join(' ').includes('ten to four'));
    assert.ok(context?.closedByClient, 'the ElevenLabs context was closed by the plugin');
  });

  it('the ElevenLabs socket is opened while the session starts, before any reply needs it', async () => {
    const connectionsBefore = stack.elevenlabs.connections.length;
    const contextsBefore = stack.elevenlabs.contexts.length;
    const { client } = await stack.harness.startSession(stack.assistant());
    await waitFor(() => stack.elevenlabs.connections.length > connectionsBefore, 'the ElevenLabs socket', 5000);
    assert.equal(stack.elevenlabs.connections.length, connectionsBefore + 1, 'one connection, opened without a turn');
    assert.equal(stack.elevenlabs.contexts.length, contextsBefore, 'no text was sent on it');
    client.end();
    await client.closed;
  });

  it('barge-in clears the assistant audio and stores the reply as interrupted, cut at what was heard', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    const microphone = openMicrophone(client);
    try {
      client.sendText('Tell me about your services.');
      await client.waitFor('assistant.audio.started', { includePast: true });
      // A second and a half of the reply has reached the caller (16 kHz, 16-bit) before they speak over it.
      await waitFor(() => client.audioBytes > 48_000, 'a second and a half of the reply', 10_000);
      stack.deepgram.nextUtterance(STOP);
      const spoken = microphone.say(loadSpeech('stop-please'));
      const cleared = await client.waitFor('assistant.audio.cleared', { includePast: true });
      assert.ok(cleared.played_ms > 0);
      const reply = await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.final });
      assert.equal(reply.interrupted, true);
      await spoken;
      await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'user' && event.text === STOP });
    } finally {
      microphone.stop();
    }
    client.end();
    await waitForSessionEnd(stack.harness.db, session.id);
    const messages = await sessionMessages(stack.harness.db, session.id);
    const interrupted = messages.find((message) => message.role === 'assistant' && message.interrupted);
    assert.ok(interrupted, 'an interrupted assistant message is stored');
    assert.ok(interrupted.text.length < LONG_REPLY.length, 'its text is cut at what was played');
    assert.ok(LONG_REPLY.startsWith(interrupted.text), 'and is a prefix of the reply');
    assert.ok(messages.some((message) => message.role === 'user' && message.text === STOP));
  });

  it('speaking over the first message keeps only what was heard of it, before the caller, and without turn metrics', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant({ first_message: LONG_REPLY }));
    const microphone = openMicrophone(client);
    try {
      await client.waitFor('assistant.audio.started', { includePast: true });
      // A second of the greeting has reached the caller (16 kHz, 16-bit).
      await waitFor(() => client.audioBytes > 32_000, 'a second of the greeting', 10_000);
      stack.deepgram.nextUtterance(STOP);
      await microphone.say(loadSpeech('stop-please'));
      await client.waitFor('assistant.audio.cleared', { includePast: true });
      await client.waitFor('turn.metrics', { includePast: true, timeoutMs: 20_000 });
    } finally {
      microphone.stop();
    }
    client.end();
    const row = await waitForSessionEnd(stack.harness.db, session.id);
    const messages = await sessionMessages(stack.harness.db, session.id);
    assert.deepEqual(messages.map((message) => message.role), ['assistant', 'user', 'assistant']);
    const [greeting, user, reply] = messages;
    assert.equal(greeting.interrupted, true);
    assert.ok(greeting.text.length > 0 && greeting.text.length < LONG_REPLY.length, `greeting stored as "${greeting.text}"`);
    assert.ok(LONG_REPLY.startsWith(greeting.text), 'the stored greeting is a prefix of the first message');
    assert.equal(greeting.metrics, null);
    assert.equal(user.text, STOP);
    assert.ok(reply.metrics.e2e_ms > 0, `reply e2e_ms ${reply.metrics.e2e_ms}`);
    assert.equal(row.latency.turns, 1);
    assert.equal(row.latency.p50_ms, reply.metrics.e2e_ms);
  });

  it('with interruptions switched off by the client, speech during a reply does not clear it', async () => {
    const { session, client } = await stack.harness.startSession(stack.assistant());
    client.setInterruptions(false);
    const microphone = openMicrophone(client);
    try {
      client.sendText('What does the shop do?');
      await client.waitFor('assistant.audio.started', { includePast: true });
      stack.deepgram.nextUtterance(STOP);
      await microphone.say(loadSpeech('stop-please'));
      await client.waitFor('assistant.audio.done', { includePast: true, timeoutMs: 20_000 });
      assert.equal(client.events.some((event) => event.type === 'assistant.audio.cleared'), false);
    } finally {
      microphone.stop();
    }
    client.end();
    await waitForSessionEnd(stack.harness.db, session.id);
    const messages = await sessionMessages(stack.harness.db, session.id);
    const reply = messages.find((message) => message.role === 'assistant' && message.text === SHORT_REPLY);
    assert.ok(reply, 'the reply was stored whole');
    assert.equal(reply.interrupted, false);
  });

  it('OpenAI transcription (non-realtime) and OpenAI speech carry a spoken turn', async () => {
    const { session, client } = await stack.harness.startSession(
      stack.assistant({
        transcriber: { provider: 'openai', model: 'gpt-4o-mini-transcribe', base_url: stack.openai.baseUrl },
        voice: { provider: 'openai', voice_id: 'alloy', base_url: stack.openai.baseUrl },
      }),
    );
    const microphone = openMicrophone(client);
    try {
      stack.openai.nextTranscript(OPENING_HOURS);
      await microphone.say(loadSpeech('what-are-your-opening-hours'));
      const userFinal = await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'user' && event.final });
      assert.equal(userFinal.text, OPENING_HOURS);
      await client.waitFor('assistant.audio.done', { includePast: true });
    } finally {
      microphone.stop();
    }
    client.end();
    await waitForSessionEnd(stack.harness.db, session.id);
    const upload = stack.openai.transcriptionRequests.at(-1)!;
    assert.equal(upload.fields.model, 'gpt-4o-mini-transcribe');
    assert.ok(upload.audioMs > 1500 && upload.rms > 0.005, 'the utterance was uploaded as audio');
    assert.ok(stack.openai.speechRequests.some((request) => request.input.includes('ten to four') && request.response_format === 'pcm'));
    const messages = await sessionMessages(stack.harness.db, session.id);
    assert.deepEqual(messages.map((message) => [message.role, message.text]), [['user', OPENING_HOURS], ['assistant', HOURS_REPLY]]);
  });
});

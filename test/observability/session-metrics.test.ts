import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { startProviderFakesStack, type ProviderFakesStack } from '../support/provider-fakes-stack.ts';
import { sessionMessages, waitForSessionEnd } from '../support/stream-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { moved, snapshot } from './metric-reader.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';
import { weatherTool } from '../support/weather-tool.ts';

const LONG_REPLY = Array.from({ length: 8 }, (_, i) => `This is sentence number ${i + 1} of a long answer about our many services.`).join(' ');
const STOP = 'Wait, stop, I have a different question.';
const STAGES = { end_of_turn: 'end_of_turn_delay_ms', stt: 'stt_delay_ms', llm_ttft: 'llm_ttft_ms', tts_ttfb: 'tts_ttfb_ms', end_to_end: 'e2e_ms' } as const;

describe('session metrics', () => {
  let stack: ProviderFakesStack;
  let customer: http.Server;
  let toolUrl: string;

  before(async () => {
    stack = await startProviderFakesStack((body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `It is ${JSON.parse(last.content).forecast} in Paris.` };
      const said = String(last.content ?? '');
      if (said.includes('weather')) return { toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } };
      if (said.includes('services')) return { text: LONG_REPLY };
      return { text: 'Okay.' };
    });
    customer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ forecast: 'sunny' })));
    toolUrl = `http://127.0.0.1:${await listenOnLoopback(customer)}/tools`;
  });
  after(async () => {
    await closeServer(customer);
    await stack.close();
  });

  it('a session with a tool call and a barge-in moves the session, tool, interruption and turn-latency metrics by what happened', async () => {
    const { harness, deepgram } = stack;
    const before = await snapshot();
    const { session, client } = await harness.startSession(
      stack.assistant({
        tools: [weatherTool(toolUrl)],
      }),
    );
    assert.equal(moved(before, await snapshot(), 'echosphere_live_sessions', { transport: 'websocket' }), 1, 'the session is live');

    client.sendText('What is the weather like?');
    await client.waitFor('tool.result', { includePast: true });
    await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('sunny') });

    const microphone = openMicrophone(client);
    try {
      const heardBefore = client.audioBytes;
      client.sendText('Tell me about your services.');
      // A second of the long reply has reached the caller (16 kHz, 16-bit).
      await waitFor(() => client.audioBytes > heardBefore + 32_000, 'the long reply playing', 30_000);
      deepgram.nextUtterance(STOP);
      await microphone.say(loadSpeech('stop-please'));
      await client.waitFor('assistant.audio.cleared', { includePast: true });
      await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.final && event.text === 'Okay.' });
    } finally {
      microphone.stop();
    }
    client.end();
    await waitForSessionEnd(harness.db, session.id);
    // The session is counted out once its end is persisted, right after the row changes.
    await waitFor(async () => moved(before, await snapshot(), 'echosphere_session_ends_total', { transport: 'websocket', status: 'ended', reason: 'customer-ended' }) === 1, 'the session end counted', 5000);
    const after = await snapshot();

    assert.equal(moved(before, after, 'echosphere_session_starts_total', { transport: 'websocket' }), 1);
    assert.equal(moved(before, after, 'echosphere_live_sessions', { transport: 'websocket' }), 0, 'no longer live');
    assert.equal(moved(before, after, 'echosphere_tool_calls_total', { type: 'function', outcome: 'succeeded' }), 1);
    assert.equal(moved(before, after, 'echosphere_tool_calls_total', { type: 'function', outcome: 'failed' }), 0);
    assert.equal(moved(before, after, 'echosphere_interruptions_total'), 1, 'one barge-in; the session end interrupted nothing');

    // Every reply turn the session stored is in the histograms, stage by stage, with the same values.
    const turns = (await sessionMessages(harness.db, session.id)).filter((message) => message.metrics).map((message) => message.metrics as Record<string, number | null>);
    assert.ok(turns.length >= 2, `the tool answer and the replies after it carry turn metrics (${turns.length})`);
    for (const [stage, field] of Object.entries(STAGES)) {
      const measured = turns.map((turn) => turn[field]).filter((value): value is number => value !== null);
      assert.equal(moved(before, after, 'echosphere_turn_latency_seconds_count', { stage }), measured.length, `${stage} count`);
      const sum = moved(before, after, 'echosphere_turn_latency_seconds_sum', { stage });
      assert.ok(Math.abs(sum - measured.reduce((total, ms) => total + ms / 1000, 0)) < 1e-6, `${stage} sum ${sum}`);
    }
    const overheads = turns
      .filter((turn) => turn.e2e_ms !== null && turn.llm_ttft_ms !== null && turn.tts_ttfb_ms !== null)
      .map((turn) => Math.max(0, turn.e2e_ms! - (turn.end_of_turn_delay_ms ?? 0) - turn.llm_ttft_ms! - turn.tts_ttfb_ms!));
    assert.equal(moved(before, after, 'echosphere_turn_latency_seconds_count', { stage: 'platform_overhead' }), overheads.length);
    const overheadSum = moved(before, after, 'echosphere_turn_latency_seconds_sum', { stage: 'platform_overhead' });
    assert.ok(Math.abs(overheadSum - overheads.reduce((total, ms) => total + ms / 1000, 0)) < 1e-6, `overhead sum ${overheadSum}`);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAssistantSnapshot } from '../../agent-runtime/config/assistant-snapshot.ts';
import { traceTurn } from '../../agent-runtime/tracing/session-spans.ts';
import { startTracing } from '../../core/tracing/tracing.ts';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../fakes/otlp-collector.ts';
import { startTestApi } from '../support/api.ts';
import { loadSpeech, openMicrophone } from '../support/microphone.ts';
import { startProviderFakesStack, type ProviderFakesStack } from '../support/provider-fakes-stack.ts';
import { sessionMessages, waitForSessionEnd } from '../support/stream-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { moved, snapshot } from './metric-reader.ts';

const OPENING_HOURS = 'What are your opening hours on Saturday?';
const HOURS_REPLY = 'On Saturday we are open from ten to four.';
const SPAN_KIND_SERVER = 2;

const nanos = (value: string) => BigInt(value);

describe('OpenTelemetry traces to an OTLP collector', () => {
  let collector: OtlpCollector;

  before(async () => {
    collector = await startOtlpCollector();
  });
  after(() => collector.close());

  describe('over OTLP/JSON', () => {
    let stack: ProviderFakesStack;
    let stopTracing: () => Promise<void>;

    before(async () => {
      stopTracing = await startTracing({ otlpEndpoint: collector.url, otlpProtocol: 'http/json', serviceName: 'echosphere-test' });
      stack = await startProviderFakesStack(() => ({ text: HOURS_REPLY }));
    });
    after(async () => {
      await stack.close();
      await stopTracing();
    });

    it("a spoken session's turn arrives as a turn span with STT, LLM and TTS children under the session span, naming providers and models but no words", async () => {
      const { harness, deepgram } = stack;
      const before = await snapshot();
      const { session, client } = await harness.startSession(stack.assistant());
      const microphone = openMicrophone(client);
      try {
        deepgram.nextUtterance(OPENING_HOURS);
        await microphone.say(loadSpeech('what-are-your-opening-hours'));
        await client.waitFor('assistant.audio.done', { includePast: true, timeoutMs: 30_000 });
      } finally {
        microphone.stop();
      }
      client.end();
      await waitForSessionEnd(harness.db, session.id);
      const [reply] = (await sessionMessages(harness.db, session.id)).filter((message) => message.metrics);
      // The session span ends with the session's run, a moment after its row: once the session is counted out.
      await waitFor(async () => moved(before, await snapshot(), 'echosphere_session_ends_total', { transport: 'websocket', status: 'ended', reason: 'customer-ended' }) === 1, 'the session end', 5000);
      await stopTracing(); // flushes the batched spans

      const spans = collector.spans.filter((span) => span.attributes['echosphere.session.id'] === session.id || span.name.match(/^echosphere\.(stt|llm|tts)$/));
      const byName = (name: string) => spans.filter((span) => span.name === name);
      const [sessionSpan] = byName('echosphere.session');
      assert.ok(sessionSpan, `a session span among ${spans.map((span) => span.name)}`);
      assert.equal(sessionSpan.service, 'echosphere-test');
      assert.equal(sessionSpan.attributes['echosphere.transport'], 'websocket');
      assert.equal(sessionSpan.attributes['echosphere.session.ended_reason'], 'customer-ended');

      const turns = byName('echosphere.turn');
      assert.equal(turns.length, 1);
      const turn = turns[0]!;
      assert.equal(turn.traceId, sessionSpan.traceId);
      assert.equal(turn.parentSpanId, sessionSpan.spanId);
      assert.equal(turn.attributes['echosphere.turn.input'], 'voice');
      assert.equal(turn.attributes['echosphere.e2e_ms'], reply.metrics.e2e_ms);
      // It starts at the end of speech, or earlier with an LLM request made before the end of turn was decided.
      assert.ok(nanos(turn.endTimeUnixNano) - nanos(turn.startTimeUnixNano) >= BigInt(reply.metrics.e2e_ms) * 1_000_000n, 'the turn spans its end-to-end latency');

      const child = (name: string): CollectedSpan => {
        const found = spans.filter((span) => span.name === name && span.parentSpanId === turn.spanId);
        assert.equal(found.length, 1, `one ${name} span under the turn`);
        return found[0]!;
      };
      const stt = child('echosphere.stt');
      const llm = child('echosphere.llm');
      const tts = child('echosphere.tts');
      assert.deepEqual([stt.attributes['echosphere.provider'], stt.attributes['echosphere.model']], ['deepgram', 'nova-3']);
      assert.deepEqual([llm.attributes['echosphere.provider'], llm.attributes['echosphere.model'], llm.attributes['gen_ai.request.model']], ['openai', 'gpt-4o-mini', 'gpt-4o-mini']);
      assert.equal(tts.attributes['echosphere.provider'], 'elevenlabs');
      assert.equal(nanos(llm.endTimeUnixNano) - nanos(llm.startTimeUnixNano), BigInt(reply.metrics.llm_ttft_ms) * 1_000_000n);
      assert.equal(nanos(tts.endTimeUnixNano) - nanos(tts.startTimeUnixNano), BigInt(reply.metrics.tts_ttfb_ms) * 1_000_000n);
      assert.equal(tts.endTimeUnixNano, turn.endTimeUnixNano, 'the first audio ends the TTS stage and the turn');
      assert.equal(llm.endTimeUnixNano, tts.startTimeUnixNano);
      for (const span of [stt, llm, tts]) {
        assert.ok(nanos(span.startTimeUnixNano) >= nanos(turn.startTimeUnixNano) && nanos(span.endTimeUnixNano) <= nanos(turn.endTimeUnixNano), `${span.name} lies within the turn`);
      }

      const text = JSON.stringify(spans).toLowerCase();
      for (const words of [OPENING_HOURS, HOURS_REPLY, 'saturday', 'ten to four', 'helpful']) assert.ok(!text.includes(words.toLowerCase()), `no "${words}" in the spans`);
    });
  });

  it('an HTTP request is a server span named by its route that joins the trace in its traceparent', async () => {
    const stopTracing = await startTracing({ otlpEndpoint: collector.url, otlpProtocol: 'http/json', serviceName: 'echosphere-api' });
    const api = await startTestApi();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      const response = await fetch(`${api.baseUrl}/healthz`, { headers: { traceparent: `00-${traceId}-${parentId}-01` } });
      assert.equal(response.status, 200);
      const missing = await fetch(`${api.baseUrl}/v1/assistants/asst_missing`);
      assert.equal(missing.status, 401);
    } finally {
      await api.close();
      await stopTracing();
    }
    const health = collector.spans.find((span) => span.service === 'echosphere-api' && span.name === 'GET /healthz');
    assert.ok(health, `spans: ${collector.spans.map((span) => span.name)}`);
    assert.equal(health.kind, SPAN_KIND_SERVER);
    assert.equal(health.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(health.parentSpanId, '00f067aa0ba902b7');
    assert.equal(health.attributes['http.route'], '/healthz');
    assert.equal(health.attributes['http.response.status_code'], 200);
    const refused = collector.spans.find((span) => span.service === 'echosphere-api' && span.attributes['http.response.status_code'] === 401);
    assert.ok(refused, 'the refused request is traced too');
    assert.equal(refused.parentSpanId, '', 'without a traceparent it starts its own trace');
  });

  it('over OTLP/protobuf (the default protocol) the same spans are sent as protobuf', async () => {
    const stopTracing = await startTracing({ otlpEndpoint: collector.url, otlpProtocol: 'http/protobuf', serviceName: 'echosphere-protobuf' });
    const assistant = parseAssistantSnapshot({
      system_prompt: 'Be brief.',
      model: { provider: 'openai', model: 'gpt-4o-mini' },
      voice: { provider: 'local' },
      transcriber: { provider: 'none' },
    });
    traceTurn(
      { end_of_turn_delay_ms: null, stt_delay_ms: null, llm_ttft_ms: 300, tts_ttfb_ms: 80, e2e_ms: 420 },
      { sessionId: 'sess_protobuf', assistant, replyStartedAt: Date.now() },
    );
    await stopTracing();
    assert.equal(collector.protobufBodies.length, 1);
    // Protobuf strings travel as UTF-8 bytes: the names and attributes are in the body as written.
    const body = collector.protobufBodies[0]!.toString('latin1');
    for (const expected of ['echosphere-protobuf', 'echosphere.turn', 'echosphere.llm', 'echosphere.tts', 'sess_protobuf', 'gpt-4o-mini']) assert.ok(body.includes(expected), expected);
    assert.ok(!body.includes('echosphere.stt'), 'no STT span for a session without a transcriber');
  });
});

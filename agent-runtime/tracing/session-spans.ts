import { type Attributes, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { activeTracing } from '../../core/tracing/tracing.ts';
import type { SessionTransportKind } from '../../core/metrics/session-metrics.ts';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import type { TurnMetricsPayload } from '../transport/protocol.ts';
import type { RuntimeSession, SessionOutcome } from '../session/runtime-deps.ts';

/**
 * A session as one trace: an `echosphere.session` span from start to end, and each reply turn an `echosphere.turn`
 * span under it with `echosphere.stt`, `echosphere.llm` and `echosphere.tts` children. Attributes name providers,
 * models and latencies, never what was said. Nothing here runs unless tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT).
 */
const sessionSpans = new Map<string, Span>();

export function startSessionSpan(session: RuntimeSession, transport: SessionTransportKind): void {
  const tracing = activeTracing();
  if (!tracing) return;
  const span = tracing.tracer.startSpan(
    'echosphere.session',
    { startTime: session.startedAt, attributes: { 'echosphere.session.id': session.id, 'echosphere.assistant.id': session.assistantId, 'echosphere.transport': transport } },
    ROOT_CONTEXT,
  );
  sessionSpans.set(session.id, span);
}

export function endSessionSpan(sessionId: string, outcome: SessionOutcome): void {
  const span = sessionSpans.get(sessionId);
  if (!span) return;
  sessionSpans.delete(sessionId);
  span.setAttributes({ 'echosphere.session.status': outcome.status, 'echosphere.session.ended_reason': outcome.endedReason });
  if (outcome.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.endedReason });
  span.end();
}

export interface TracedTurn {
  sessionId: string;
  assistant: AssistantSnapshot;
  /** When the reply's first audio played (epoch ms): the end of the turn. */
  replyStartedAt: number | undefined;
}

/**
 * The turn ends when its reply's first audio goes out, and its stages are laid out as they run: the STT from the end
 * of speech; the TTS ending as the first audio goes out, after its time to first byte; the LLM ending as the TTS
 * starts, after its time to first token. The turn starts `e2e_ms` before its end, or with the LLM when that started
 * earlier (the library may start generating before the end of the turn is decided).
 */
export function traceTurn(turn: TurnMetricsPayload, context: TracedTurn): void {
  const tracing = activeTracing();
  if (!tracing || context.replyStartedAt === undefined || turn.e2e_ms === null) return;
  const { tracer } = tracing;
  const { model, voice, transcriber } = context.assistant;
  const endAt = context.replyStartedAt;
  const speechEndedAt = endAt - turn.e2e_ms;
  const ttsAt = endAt - (turn.tts_ttfb_ms ?? 0);
  const llmAt = ttsAt - (turn.llm_ttft_ms ?? 0);
  const session = sessionSpans.get(context.sessionId);
  const turnSpan = tracer.startSpan(
    'echosphere.turn',
    {
      startTime: Math.min(speechEndedAt, llmAt),
      attributes: {
        'echosphere.session.id': context.sessionId,
        'echosphere.turn.input': turn.end_of_turn_delay_ms === null ? 'text' : 'voice',
        ...latencyAttributes(turn),
      },
    },
    session ? trace.setSpan(ROOT_CONTEXT, session) : ROOT_CONTEXT,
  );
  const parent = trace.setSpan(ROOT_CONTEXT, turnSpan);
  const stage = (name: string, at: number, ms: number | null, attributes: Attributes) => {
    if (ms === null) return;
    tracer.startSpan(name, { startTime: at, attributes }, parent).end(at + ms);
  };
  if (transcriber.provider !== 'none') stage('echosphere.stt', speechEndedAt, turn.stt_delay_ms, providerAttributes(transcriber));
  stage('echosphere.llm', llmAt, turn.llm_ttft_ms, { ...providerAttributes(model), 'gen_ai.system': model.provider, ...(model.model ? { 'gen_ai.request.model': model.model } : {}) });
  stage('echosphere.tts', ttsAt, turn.tts_ttfb_ms, providerAttributes(voice));
  turnSpan.end(endAt);
}

function providerAttributes(setting: { provider: string; model?: string | undefined }): Attributes {
  return { 'echosphere.provider': setting.provider, ...(setting.model ? { 'echosphere.model': setting.model } : {}) };
}

function latencyAttributes(turn: TurnMetricsPayload): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(turn)) {
    if (typeof value === 'number') attributes[`echosphere.${key}`] = value;
  }
  return attributes;
}


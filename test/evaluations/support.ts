import WebSocket from 'ws';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { SessionClient } from '../../sdk/session-client.ts';
import { startEvaluationWorker } from '../../workers/evaluations/evaluation-worker.ts';
import type { TestApi } from '../support/api.ts';
import type { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';

type Call = ReturnType<typeof apiClient>;

/** The structured data the analysis extracts. */
export const bookingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['party_size', 'day', 'caller_name'],
  properties: {
    party_size: { type: 'integer', minimum: 1 },
    day: { type: 'string', enum: ['friday', 'saturday', 'other'] },
    caller_name: { type: ['string', 'null'] },
  },
};

/** An assistant that books tables, with a summary, structured data and one criterion of each kind. */
export function bookingAssistant(judge: Record<string, unknown> | null = { provider: 'openai', model: 'gpt-4o-mini' }) {
  return {
    name: 'Bella Pasta bookings',
    system_prompt: 'You take table bookings.',
    first_message: 'Hello, Bella Pasta, how can I help?',
    model: {
      provider: 'scripted',
      script: { rules: [{ pattern: 'table|book', reply: 'Booked: a table for four on Friday.' }], default_reply: 'Goodbye!' },
    },
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 400 },
    transcriber: { provider: 'none' },
    analysis: {
      summary: { enabled: true },
      structured_data: { schema: bookingSchema },
      scorecard: {
        criteria: [
          { kind: 'llm', name: 'Confirmed the booking', question: 'Did the assistant confirm the day and the party size?', scale: '1-5' },
          { kind: 'metric', name: 'Caller spoke', metric: 'user_turns', operator: 'gte', threshold: 2 },
          { kind: 'match', name: 'Confirms', mode: 'regex', pattern: '\\bbooked\\b' },
        ],
      },
      judge,
    },
  };
}

/** A session of `assistantId` over the WebSocket transport: the caller types each line (waiting for the reply), then hangs up. */
export async function typedSession(call: Call, baseUrl: string, assistantId: string, lines: string[]): Promise<string> {
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId });
  if (created.status !== 201) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  const client = new SessionClient({ baseUrl: baseUrl.replace(/^http/, 'ws'), sessionId: created.body.id, token: created.body.websocket.token, WebSocketImpl: WebSocket as never });
  try {
    await client.waitFor('session.started', { timeoutMs: 30_000 });
    await client.waitFor('assistant.audio.done', { includePast: true, timeoutMs: 30_000 });
    let replies = 0;
    for (const line of lines) {
      client.sendText(line);
      replies++;
      await client.waitFor('transcript', { timeoutMs: 30_000, includePast: true, predicate: () => countReplies(client) > replies });
    }
    client.end();
    await client.waitFor('session.ended', { includePast: true, timeoutMs: 30_000 });
  } finally {
    client.close();
  }
  return created.body.id as string;
}

/** Final assistant transcripts the client has seen, the greeting included. */
function countReplies(client: SessionClient): number {
  return client.events.filter((event) => event.type === 'transcript' && event.role === 'assistant' && event.final).length;
}

/** The session's evaluation once it is over (completed, failed or skipped). */
export async function finishedEvaluation(call: Call, sessionId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const response = await call('GET', `/v1/sessions/${sessionId}/evaluation`);
      return response.status === 200 && !['pending', 'running'].includes(response.body.status) ? response.body : undefined;
    },
    `the evaluation of ${sessionId}`,
    timeoutMs,
  );
}

/** The evaluation worker on the test api's queue, as the workers role runs it (no sweep: tests enqueue). */
export async function startTestEvaluationWorker(api: TestApi, env: NodeJS.ProcessEnv = {}) {
  return startEvaluationWorker({
    db: api.db,
    secretBox: api.deps.secretBox,
    env,
    providerUrlPolicy: providerUrlPolicy(true),
    queue: api.media.queue,
    sweepIntervalS: 0,
  });
}

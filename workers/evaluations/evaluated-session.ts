import type { Transaction } from '../../core/db/database.ts';
import type { SessionLatency } from '../../core/domain/session.ts';
import type { Evidence } from '../../core/evaluations/evaluation-result.ts';

/** What an evaluation reads about a session: how it ended, what was measured, and the transcript in spoken order. */
export interface EvaluatedSession {
  id: string;
  endedReason: string | null;
  durationMs: number | null;
  latency: SessionLatency | null;
  messages: TranscriptMessage[];
}

export interface TranscriptMessage {
  id: string;
  role: 'user' | 'assistant' | 'tool' | 'system';
  text: string;
  start_ms: number | null;
  end_ms: number | null;
  interrupted: boolean;
  tool_calls: Array<{ name?: string }> | null;
  metrics: Record<string, number | null> | null;
}

/** Messages a judge or a score is given at most: a long session is judged on its first part rather than not at all. */
const MAX_EVALUATED_MESSAGES = 500;

export async function loadEvaluatedSession(trx: Transaction, orgId: string, sessionId: string): Promise<EvaluatedSession | undefined> {
  const session = await trx('sessions').where({ org_id: orgId, id: sessionId }).first('id', 'ended_reason', 'started_at', 'ended_at', 'latency');
  if (!session) return undefined;
  const messages = await trx('messages')
    .where({ org_id: orgId, session_id: sessionId })
    .orderBy('id', 'asc')
    .limit(MAX_EVALUATED_MESSAGES)
    .select('id', 'role', 'text', 'start_ms', 'end_ms', 'interrupted', 'tool_calls', 'metrics');
  const startedAt = session.started_at as Date | null;
  const endedAt = session.ended_at as Date | null;
  return {
    id: sessionId,
    endedReason: session.ended_reason as string | null,
    durationMs: startedAt && endedAt ? endedAt.getTime() - startedAt.getTime() : null,
    latency: session.latency as SessionLatency | null,
    messages: messages as TranscriptMessage[],
  };
}

/** Spoken or typed words: what matching and judging look at (tool calls and results are not said). */
export function spokenMessages(session: EvaluatedSession): TranscriptMessage[] {
  return session.messages.filter((message) => (message.role === 'user' || message.role === 'assistant') && message.text.trim() !== '');
}

/** Evidence a score shows is a handful of moments, not the whole transcript. */
const MAX_EVIDENCE = 5;

export function evidenceOf(messages: Array<TranscriptMessage | undefined>): Evidence[] {
  return messages
    .filter((message): message is TranscriptMessage => message !== undefined)
    .slice(0, MAX_EVIDENCE)
    .map((message) => ({ message_id: message.id, start_ms: message.start_ms }));
}

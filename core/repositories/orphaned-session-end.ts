import type { SessionBilling } from '../billing/session-charge.ts';
import type { Database, Transaction } from '../db/database.ts';
import { NO_LATENCY, type SessionUsage } from '../domain/session.ts';
import { finishSession, type SessionRef } from './sessions.ts';

/**
 * Ends a live session whose runtime process died (`failed`, with `reason`), accounting for it from what it persisted:
 * it is charged from its start to now, when the death was detected. The end-of-session report, its event and the
 * evaluation request are those of any ending. Undefined when the session had already ended.
 */
export async function finishOrphanedSession(db: Database, ref: SessionRef, reason: string, billing?: SessionBilling): Promise<Record<string, unknown> | undefined> {
  const persisted = await db.tenant(ref.orgId, (trx) => readPersistedSession(trx, ref));
  if (!persisted) return undefined;
  return finishSession(db, ref, {
    status: 'failed',
    endedReason: reason,
    usage: usageFromPersisted(persisted),
    // Turn latencies are summarised by the runtime that measured them.
    latency: NO_LATENCY,
    endedAt: persisted.endedAt,
    ...(billing ? { billing } : {}),
  });
}

/** What a session left in the database as it ran: enough to account for it when its runtime died with its counters. */
export interface PersistedSession {
  startedAt: Date | null;
  /** When the session is taken to have ended (its runtime's death was detected). */
  endedAt: Date;
  /** The assistant snapshot the session ran with. */
  assistant: unknown;
  messages: Array<{ role: string; text: string; start_ms: number | null; end_ms: number | null }>;
}

/**
 * The usage of a live session whose runtime process died: its counters died with it, so the figures come from what was
 * persisted. The customer's microphone streamed from the start to the end (a room's track, or a WebSocket client,
 * sends silence too), and a transcriber heard all of it; the assistant's audio is the span of each stored reply and its
 * characters the text the caller heard. Token counts are not persisted as the session runs and stay 0.
 * @internal exported for its tests
 */
export function usageFromPersisted(session: PersistedSession): SessionUsage {
  const durationMs = session.startedAt ? Math.max(0, session.endedAt.getTime() - session.startedAt.getTime()) : 0;
  const transcriber = (session.assistant as { transcriber?: { provider?: string } } | null)?.transcriber?.provider ?? 'none';
  const replies = session.messages.filter((message) => message.role === 'assistant');
  const spokenMs = replies.reduce(
    (sum, message) => sum + (message.start_ms !== null && message.end_ms !== null ? Math.max(0, message.end_ms - message.start_ms) : 0),
    0,
  );
  return {
    audio_in_ms: durationMs,
    audio_out_ms: Math.min(spokenMs, durationMs),
    stt_audio_ms: transcriber === 'none' ? 0 : durationMs,
    llm_prompt_tokens: 0,
    llm_completion_tokens: 0,
    tts_characters: replies.reduce((sum, message) => sum + [...message.text].length, 0),
  };
}

/** Reads a live session's persisted state, taking the database's clock now as its end. */
async function readPersistedSession(trx: Transaction, ref: SessionRef): Promise<PersistedSession | undefined> {
  const row = await trx('sessions')
    .where({ org_id: ref.orgId, id: ref.sessionId })
    .whereIn('status', ['created', 'active'])
    .first<{ started_at: Date | null; assistant: unknown; now: Date } | undefined>('started_at', 'assistant', trx.raw('now() AS now'));
  if (!row) return undefined;
  const messages = await trx('messages').where({ org_id: ref.orgId, session_id: ref.sessionId }).select('role', 'text', 'start_ms', 'end_ms');
  return { startedAt: row.started_at, endedAt: row.now, assistant: row.assistant, messages };
}

import type { Database, Transaction } from '../db/database.ts';
import { sql } from '../db/sql.ts';
import { newId } from '../ids.ts';
import { appendEventStatement } from '../webhooks/outbox.ts';
import type { SessionRef } from './sessions.ts';

export interface MessageRow {
  id: string;
  org_id: string;
  session_id: string;
  role: 'user' | 'assistant' | 'tool' | 'system';
  text: string;
  start_ms: number | null;
  end_ms: number | null;
  interrupted: boolean;
  tool_calls: unknown[] | null;
  tool_result: Record<string, unknown> | null;
  metrics: Record<string, number | null> | null;
  created_at: Date;
}

/** A transcript reads forwards: oldest first, `starting_after` moves on. */
export async function listMessages(
  trx: Transaction,
  orgId: string,
  sessionId: string,
  page: { limit: number; starting_after?: string | undefined; ending_before?: string | undefined },
): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
  const query = trx<MessageRow>('messages').where({ org_id: orgId, session_id: sessionId });
  if (page.ending_before) {
    const rows = await query.where('id', '<', page.ending_before).orderBy('id', 'desc').limit(page.limit + 1);
    return { rows: rows.slice(0, page.limit).reverse(), hasMore: rows.length > page.limit };
  }
  if (page.starting_after) query.where('id', '>', page.starting_after);
  const rows = await query.orderBy('id', 'asc').limit(page.limit + 1);
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export interface NewMessage {
  role: 'user' | 'assistant' | 'tool' | 'system';
  text: string;
  /**
   * When it started being spoken or typed (epoch ms). Its id is made from this time, so a transcript sorted by id
   * reads in the order things were said even when a message is stored late (an interrupted greeting is only complete
   * after the caller's words that cut it). Without it, the time of storing.
   */
  spokenAt?: number;
  startMs: number | null;
  endMs: number | null;
  interrupted: boolean;
  toolCalls?: unknown[] | null;
  toolResult?: Record<string, unknown> | null;
  metrics?: Record<string, number | null> | null;
}

/**
 * One transcript item; spoken/typed user and assistant text also becomes a `transcript.final` event. Two of these
 * are written per turn, so they go as one statement in one round trip (a knex transaction would cost six).
 */
export async function appendSessionMessage(db: Database, ref: SessionRef, message: NewMessage): Promise<string> {
  const id = newId('message', message.spokenAt === undefined ? undefined : Math.round(message.spokenAt));
  const json = (value: unknown) => (value ? JSON.stringify(value) : null);
  const inserted = sql`INSERT INTO messages (id, org_id, session_id, role, text, start_ms, end_ms, interrupted, tool_calls, tool_result, metrics)
    VALUES (${id}, ${ref.orgId}, ${ref.sessionId}, ${message.role}, ${message.text}, ${message.startMs}, ${message.endMs},
            ${message.interrupted}, ${json(message.toolCalls)}::jsonb, ${json(message.toolResult)}::jsonb, ${json(message.metrics)}::jsonb)`;
  const statements = [inserted];
  if ((message.role === 'user' || message.role === 'assistant') && message.text) {
    const data = {
      session_id: ref.sessionId,
      message_id: id,
      role: message.role,
      text: message.text,
      start_ms: message.startMs,
      end_ms: message.endMs,
      interrupted: message.interrupted,
    };
    statements.push(appendEventStatement({ orgId: ref.orgId, type: 'transcript.final', sessionId: ref.sessionId, assistantId: ref.assistantId, data }));
  }
  await db.tenantBatch(ref.orgId, () => statements);
  return id;
}

import type { Transaction } from '../db/database.ts';

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

export function toPublicMessage(row: MessageRow) {
  return {
    id: row.id,
    object: 'message' as const,
    session_id: row.session_id,
    role: row.role,
    text: row.text,
    start_ms: row.start_ms,
    end_ms: row.end_ms,
    interrupted: row.interrupted,
    tool_calls: row.tool_calls,
    tool_result: row.tool_result,
    metrics: row.metrics,
    created_at: row.created_at.toISOString(),
  };
}

import type { MessageRow } from '../../core/repositories/messages.ts';

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

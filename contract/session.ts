import type { SessionRow } from '../core/domain/session.ts';

/** The public session, as the API returns it and the `session.created` event carries it. */
export function toPublicSession(row: SessionRow) {
  return {
    id: row.id,
    object: 'session' as const,
    assistant_id: row.assistant_id,
    assistant: row.assistant,
    transport: row.transport,
    status: row.status,
    ended_reason: row.ended_reason,
    audio: row.audio,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    ended_at: row.ended_at?.toISOString() ?? null,
    duration_ms: row.started_at && row.ended_at ? row.ended_at.getTime() - row.started_at.getTime() : null,
    usage: row.usage,
    cost: row.cost,
    latency: row.latency,
    recording: row.recording_status ? { status: row.recording_status } : null,
    source: row.source,
    evaluation: row.evaluation_status
      ? { status: row.evaluation_status, passed: row.evaluation_passed ?? null, overall_score: row.evaluation_overall_score ?? null }
      : null,
  };
}

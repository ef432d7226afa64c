import type { RecordingRow } from '../../core/repositories/recordings.ts';

export function toPublicRecordingBase(row: RecordingRow) {
  return {
    object: 'recording' as const,
    id: row.id,
    session_id: row.session_id,
    status: row.status,
    failure_reason: row.failure_reason,
    duration_ms: row.duration_ms,
    created_at: row.created_at.toISOString(),
    ready_at: row.ready_at?.toISOString() ?? null,
    deleted_at: row.deleted_at?.toISOString() ?? null,
  };
}

import type { Transaction } from '../db/database.ts';
import { appendEvent } from '../webhooks/outbox.ts';
import { newId } from '../ids.ts';

type RecordingStatus = 'recording' | 'processing' | 'ready' | 'failed' | 'skipped' | 'deleted';

export interface RenditionInfo {
  name: string;
  bandwidth: number;
  average_bandwidth: number;
  codecs: string;
  channels: number;
  sample_rate_hz: number;
  playlist_key: string;
}

export interface RecordingRow {
  id: string;
  org_id: string;
  session_id: string;
  status: RecordingStatus;
  failure_reason: string | null;
  duration_ms: number | null;
  /** The storage prefix holding everything of this recording. */
  source_key: string;
  renditions: { master_key: string; items: RenditionInfo[] } | null;
  download_key: string | null;
  sample_rate_hz: number | null;
  channels: number | null;
  created_at: Date;
  updated_at: Date;
  ready_at: Date | null;
  deleted_at: Date | null;
}

export async function createRecording(
  trx: Transaction,
  input: { orgId: string; sessionId: string; prefix: string; sampleRateHz: number; channels: number },
): Promise<RecordingRow> {
  const [row] = await trx<RecordingRow>('recordings')
    .insert({
      id: newId('recording'),
      org_id: input.orgId,
      session_id: input.sessionId,
      status: 'recording',
      source_key: input.prefix,
      sample_rate_hz: input.sampleRateHz,
      channels: input.channels,
    })
    .returning('*');
  return row!;
}

export async function getRecordingForSession(trx: Transaction, orgId: string, sessionId: string): Promise<RecordingRow | undefined> {
  return trx<RecordingRow>('recordings').where({ org_id: orgId, session_id: sessionId }).first();
}

export async function getRecording(trx: Transaction, orgId: string, id: string, options: { forUpdate?: boolean } = {}) {
  const query = trx<RecordingRow>('recordings').where({ org_id: orgId, id }).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/** The session ended: media is complete up to `durationMs` and waits for transcoding. */
export async function markRecordingProcessing(trx: Transaction, orgId: string, id: string, durationMs: number): Promise<RecordingRow | undefined> {
  const [row] = await trx<RecordingRow>('recordings')
    .where({ org_id: orgId, id, status: 'recording' })
    .update({ status: 'processing', duration_ms: durationMs, updated_at: trx.fn.now() as never })
    .returning('*');
  return row;
}

/**
 * Moves a recording from one of `from` to a final state with `changes`, and records that state's event with the data
 * the row then holds, in the same transaction. Undefined when the recording was no longer in one of `from`.
 */
async function finishRecording(
  trx: Transaction,
  recording: Pick<RecordingRow, 'org_id' | 'id'>,
  from: RecordingRow['status'][],
  changes: Record<string, unknown>,
  event: { type: 'recording.ready' | 'recording.failed' | 'recording.skipped'; data: (row: RecordingRow) => Record<string, unknown> },
): Promise<RecordingRow | undefined> {
  const [row] = await trx<RecordingRow>('recordings')
    .where({ org_id: recording.org_id, id: recording.id })
    .whereIn('status', from)
    .update({ ...changes, updated_at: trx.fn.now() as never })
    .returning('*');
  if (row) {
    await appendEvent(trx, {
      orgId: row.org_id,
      type: event.type,
      sessionId: row.session_id,
      data: { recording_id: row.id, session_id: row.session_id, ...event.data(row) },
    });
  }
  return row;
}

export function markRecordingReady(
  trx: Transaction,
  recording: RecordingRow,
  result: { durationMs: number; masterKey: string; renditions: RenditionInfo[]; downloadKey: string },
): Promise<RecordingRow | undefined> {
  const changes = {
    status: 'ready',
    failure_reason: null,
    duration_ms: result.durationMs,
    renditions: JSON.stringify({ master_key: result.masterKey, items: result.renditions }),
    download_key: result.downloadKey,
    ready_at: trx.fn.now(),
  };
  return finishRecording(trx, recording, ['recording', 'processing', 'failed'], changes, {
    type: 'recording.ready',
    data: (row) => ({ duration_ms: row.duration_ms }),
  });
}

export function markRecordingFailed(trx: Transaction, recording: RecordingRow, reason: string): Promise<RecordingRow | undefined> {
  return finishRecording(trx, recording, ['recording', 'processing'], { status: 'failed', failure_reason: reason.slice(0, 500) }, {
    type: 'recording.failed',
    data: (row) => ({ failure_reason: row.failure_reason }),
  });
}

/** There is nothing to play (no audio was ever recorded): final, like `failed`, but nothing went wrong. */
export function markRecordingSkipped(trx: Transaction, recording: Pick<RecordingRow, 'org_id' | 'id'>, reason: string): Promise<RecordingRow | undefined> {
  return finishRecording(trx, recording, ['recording', 'processing'], { status: 'skipped', failure_reason: reason.slice(0, 500), duration_ms: 0 }, {
    type: 'recording.skipped',
    data: (row) => ({ reason: row.failure_reason }),
  });
}

export async function markRecordingDeleted(trx: Transaction, orgId: string, id: string): Promise<RecordingRow | undefined> {
  const [row] = await trx<RecordingRow>('recordings')
    .where({ org_id: orgId, id })
    .whereNot({ status: 'deleted' })
    .update({
      status: 'deleted',
      renditions: null,
      download_key: null,
      deleted_at: trx.fn.now() as never,
      updated_at: trx.fn.now() as never,
    })
    .returning('*');
  return row;
}

/**
 * Cross-tenant (system role): recordings older than their organization's retention, oldest first.
 * Recordings still being made or transcoded are left alone.
 */
export async function findExpiredRecordings(trx: Transaction, defaultRetentionDays: number, limit: number): Promise<RecordingRow[]> {
  return trx<RecordingRow>('recordings as r')
    .join('organizations as o', 'o.id', 'r.org_id')
    .whereIn('r.status', ['ready', 'failed', 'skipped'])
    .whereRaw(
      `r.created_at < now() - make_interval(days => coalesce((o.settings->>'recording_retention_days')::int, ?))`,
      [defaultRetentionDays],
    )
    .orderBy('r.created_at')
    .limit(limit)
    .select('r.*');
}

/**
 * Cross-tenant: recordings still `recording` although their session is over — the process that recorded them died
 * before `finish`. Their stored chunks are everything that can be recovered.
 */
export async function findOrphanedRecordings(trx: Transaction, staleAfterS: number, limit: number): Promise<RecordingRow[]> {
  return trx<RecordingRow>('recordings as r')
    .join('sessions as s', 's.id', 'r.session_id')
    .where('r.status', 'recording')
    .whereIn('s.status', ['ended', 'failed'])
    .whereRaw(`coalesce(s.ended_at, r.updated_at) < now() - make_interval(secs => ?)`, [staleAfterS])
    .orderBy('r.created_at')
    .limit(limit)
    .select('r.*');
}

import type { Knex } from 'knex';
import { runSql, type Database, type Transaction } from '../db/database.ts';
import { sql, type Sql } from '../db/sql.ts';
import { NEVER_CONNECTED, NO_LATENCY, NO_USAGE, toPublicSession, type AudioFormat, type SessionRow, type SessionSource, type Transport } from '../domain/session.ts';
import { OUTBOX_CHANNEL } from '../events/outbox.ts';
import { withLatestEvaluation } from './evaluations.ts';
import { newId, newIdSql } from '../ids.ts';
import type { PublicAssistant } from './assistants.ts';

export interface NewSession {
  orgId: string;
  assistant: PublicAssistant;
  transport: Transport;
  /** Test runs' sessions are `test`: left out of usage, billing and the default session list. */
  source: SessionSource;
  audio: AudioFormat;
  metadata: Record<string, string>;
  /** The WebSocket transport's stream token; LiveKit sessions are joined with a LiveKit token instead. */
  streamTokenHash: Buffer | undefined;
  /** Until when the session may be joined; past it, a session nobody joined ends `never-connected`. */
  streamTokenExpiresAt: Date;
}

/**
 * Ends created sessions whose stream token has expired: they can never connect, and ending them frees their
 * concurrency slots (`organizations.live_sessions`, kept by a trigger). With an organization, that organization's
 * (before it creates a session), or only `sessionId` (a client came with its token too late); without one, every
 * organization's, `batch` at a time (the system role's sweep, for organizations that create no more sessions). Rows
 * another transaction holds are being ended or claimed by it and are skipped: waiting on them while holding the
 * organization's lock could deadlock with that transaction's own counter update. The planner sees the values, so it
 * folds away the branches that do not apply. Returns a row (`id`) per session ended.
 */
export function expireUnconnectedSessions(scope: { orgId: string; sessionId?: string } | { batch: number }): Sql {
  const orgId = 'orgId' in scope ? scope.orgId : null;
  const sessionId = 'orgId' in scope ? (scope.sessionId ?? null) : null;
  const batch = 'batch' in scope ? scope.batch : null;
  return endCreatedSessions(
    sql`SELECT id FROM sessions
      WHERE (${orgId}::text IS NULL OR org_id = ${orgId}) AND (${sessionId}::text IS NULL OR id = ${sessionId})
        AND status = 'created' AND stream_token_expires_at <= now()
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED`,
    NEVER_CONNECTED,
    sql`stream_token_expires_at`,
  );
}

/**
 * Ends the created sessions `ids` selects (and locks) and records each one's `session.ended` event, with its NOTIFY,
 * in the same statement: however a session that never connected ends, its end and its event are one change. The
 * event carries the end-of-session report in the shape `finishSession` gives a connected session; nothing was said or
 * used, so the transcript is empty and the usage zero. Returns a row (`id`) per session ended.
 */
function endCreatedSessions(ids: Sql, reason: string, endedAt: Sql): Sql {
  return sql`WITH ended AS (
      UPDATE sessions SET status = 'ended', ended_reason = ${reason}::text, ended_at = ${endedAt}
      WHERE id IN (${ids}) AND status = 'created'
      RETURNING id, org_id, assistant_id, ended_reason, metadata, created_at, ended_at
    ), event AS (
      INSERT INTO events (id, org_id, type, session_id, assistant_id, data)
      SELECT ${newIdSql('event')}, org_id, 'session.ended', id, assistant_id,
             jsonb_build_object(
               'session_id', id, 'assistant_id', assistant_id, 'status', 'ended'::text, 'ended_reason', ended_reason,
               'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'started_at', NULL::text,
               'ended_at', to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'duration_ms', NULL::int,
               'metadata', metadata, 'usage', ${JSON.stringify(NO_USAGE)}::jsonb, 'cost', NULL::jsonb, 'latency', ${JSON.stringify(NO_LATENCY)}::jsonb,
               'transcript', '[]'::jsonb)
      FROM ended
      RETURNING id, session_id
    )
    SELECT event.session_id AS id FROM event CROSS JOIN LATERAL (SELECT pg_notify(${OUTBOX_CHANNEL}, event.id)) AS notified`;
}

/**
 * Creates a session and its `session.created` event if the organization is below its concurrency limit; undefined
 * when it is not. Sessions holding a slot are connected ones and created ones whose token can still be used.
 *
 * The organization row is locked first, so racing creates check the limit one after the other; expired created
 * sessions are then ended, and the check (one read of the live-session counter), the insert and the event run as one
 * statement whose snapshot sees every session committed before the lock was granted. All of it travels in one round
 * trip (`tenantBatch`), so the lock is held only while the statements execute, never across a trip back to this
 * process.
 */
export async function createSessionWithinLimit(db: Database, input: NewSession & { defaultLimit: number }): Promise<SessionRow | undefined> {
  const row: SessionRow = {
    id: newId('session'),
    org_id: input.orgId,
    assistant_id: input.assistant.id,
    assistant: input.assistant,
    transport: input.transport,
    source: input.source,
    status: 'created',
    ended_reason: null,
    audio: input.audio,
    metadata: input.metadata,
    stream_token_hash: input.streamTokenHash ?? null,
    stream_token_expires_at: input.streamTokenExpiresAt,
    usage: null,
    latency: null,
    cost: null,
    created_at: new Date(),
    started_at: null,
    ended_at: null,
    recording_status: null,
  };
  const [, , notified] = await db.tenantBatch(input.orgId, () => [
    sql`SELECT id FROM organizations WHERE id = ${input.orgId} FOR UPDATE`,
    expireUnconnectedSessions({ orgId: input.orgId }),
    sql`WITH below_limit AS (
         SELECT 1 FROM organizations
         WHERE id = ${input.orgId} AND live_sessions < coalesce((settings->>'max_concurrent_sessions')::int, ${input.defaultLimit})
       ), session AS (
         INSERT INTO sessions (id, org_id, assistant_id, assistant, transport, source, status, audio, metadata,
                               stream_token_hash, stream_token_expires_at, created_at)
         SELECT ${row.id}, ${row.org_id}, ${row.assistant_id}, ${JSON.stringify(row.assistant)}::jsonb, ${row.transport}, ${row.source},
                'created', ${JSON.stringify(row.audio)}::jsonb, ${JSON.stringify(row.metadata)}::jsonb,
                decode(${input.streamTokenHash?.toString('hex') ?? null}, 'hex'), ${row.stream_token_expires_at}, ${row.created_at}
         FROM below_limit
         RETURNING id
       ), event AS (
         INSERT INTO events (id, org_id, type, session_id, assistant_id, data, created_at)
         SELECT ${newId('event')}, ${row.org_id}, 'session.created', session.id, ${row.assistant_id},
                ${JSON.stringify({ session: toPublicSession(row) })}::jsonb, ${row.created_at}
         FROM session
         RETURNING id
       )
       SELECT pg_notify(${OUTBOX_CHANNEL}, event.id) FROM event`,
  ]);
  return notified!.length > 0 ? row : undefined;
}

/** Sessions with their recording's status and latest evaluation's outcome, for the public representation. */
export function sessionsQuery(q: Knex, orgId: string) {
  const query = q<SessionRow>('sessions')
    .leftJoin('recordings', 'recordings.session_id', 'sessions.id')
    .where('sessions.org_id', orgId)
    .select('sessions.*', 'recordings.status as recording_status');
  return withLatestEvaluation(query);
}

export async function getSession(trx: Transaction, orgId: string, id: string): Promise<SessionRow | undefined> {
  return sessionsQuery(trx, orgId).where('sessions.id', id).first();
}

/**
 * Ends a session that never connected, with its `session.ended` event; undefined when it is no longer `created` (a
 * client connected while this waited for the row). Connected sessions are ended by the runtime running them.
 */
export async function endUnconnectedSession(trx: Transaction, orgId: string, id: string, reason: string): Promise<SessionRow | undefined> {
  const ended = await runSql(trx, endCreatedSessions(sql`SELECT id FROM sessions WHERE org_id = ${orgId} AND id = ${id} FOR UPDATE`, reason, sql`now()`));
  return ended.length > 0 ? getSession(trx, orgId, id) : undefined;
}

import type { Knex } from 'knex';
import { runSql, type Database, type Transaction } from '../db/database.ts';
import { sql, type Sql } from '../db/sql.ts';
import { NEVER_CONNECTED, NO_LATENCY, NO_USAGE, toPublicSession, type AudioFormat, type SessionRow, type Transport } from '../domain/session.ts';
import { appendEventsStatement, notifyOutbox } from '../webhooks/outbox.ts';
import { withLatestEvaluation } from './evaluations.ts';
import { newId, newIdSql } from '../ids.ts';
import { addSlots, takeFreeSlot } from './session-slots.ts';
import type { PublicAssistant } from './assistants.ts';

export interface NewSession {
  orgId: string;
  assistant: PublicAssistant;
  transport: Transport;
  audio: AudioFormat;
  metadata: Record<string, string>;
  /** The WebSocket transport's stream token; LiveKit sessions are joined with a LiveKit token instead. */
  streamTokenHash: Buffer | undefined;
  /** Until when the session may be joined; past it, a session nobody joined ends `never-connected`. */
  streamTokenExpiresAt: Date;
}

/**
 * Ends created sessions whose stream token has expired: they can never connect, and ending them frees their
 * concurrency slots (`session_slots`, freed by a trigger). With an organization, that organization's
 * (before it creates a session), or only `sessionId` (a client came with its token too late); without one, every
 * organization's, `batch` at a time (the system role's sweep, for organizations that create no more sessions). Rows
 * another transaction holds are being ended or claimed by it and are skipped: waiting on them would put a create behind
 * that transaction's commit. The planner sees the values, so it folds away the branches that do not apply. Returns a row (`id`) per session ended.
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
 * used, so the transcript is empty and the usage zero. Returns the events, one per session ended.
 */
function endCreatedSessions(ids: Sql, reason: string, endedAt: Sql): Sql {
  return appendEventsStatement(
    sql`SELECT ${newIdSql('event')}, org_id, 'session.ended', id, assistant_id,
           jsonb_build_object(
             'session_id', id, 'assistant_id', assistant_id, 'status', 'ended'::text, 'ended_reason', ended_reason,
             'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'started_at', NULL::text,
             'ended_at', to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'duration_ms', NULL::int,
             'metadata', metadata, 'usage', ${JSON.stringify(NO_USAGE)}::jsonb, 'cost', NULL::jsonb, 'latency', ${JSON.stringify(NO_LATENCY)}::jsonb,
             'transcript', '[]'::jsonb),
           now()
    FROM ended`,
    sql`ended AS (
      UPDATE sessions SET status = 'ended', ended_reason = ${reason}::text, ended_at = ${endedAt}
      WHERE id IN (${ids}) AND status = 'created'
      RETURNING id, org_id, assistant_id, ended_reason, metadata, created_at, ended_at
    )`,
  );
}

/**
 * Enough for slots to double from 16 to any limit a setting can hold, with room for creates racing for the last free
 * slots (a slot another create holds may still come free if that create fails); past it, the limit counts as reached.
 */
const MAX_CREATE_ATTEMPTS = 32;

/**
 * Creates a session and its `session.created` event if the organization is below its concurrency limit; undefined
 * when it is not. Sessions holding a slot are connected ones and created ones whose token can still be used.
 *
 * Expired created sessions are ended first (freeing their slots); then one statement takes a free slot
 * (`session_slots`) and, only if it got one, inserts the session and its event. A slot is one row, locked by the
 * create that takes it, so two creates never share one and an organization never has more live sessions than
 * slots. Both travel in one round trip (`tenantBatch`); the event's NOTIFY follows the commit (`notifyOutbox`). When
 * no slot is free the organization gets more, up to its limit, and the create tries again.
 */
export async function createSessionWithinLimit(db: Database, input: NewSession & { defaultLimit: number }): Promise<SessionRow | undefined> {
  const row: SessionRow = {
    id: newId('session'),
    org_id: input.orgId,
    assistant_id: input.assistant.id,
    assistant: input.assistant,
    transport: input.transport,
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
  const eventId = newId('event');
  // Committed without its NOTIFY, which is sent after the commit (see notifyOutbox): creates are the burst path.
  const insert = appendEventsStatement(
    sql`SELECT ${eventId}, ${row.org_id}, 'session.created', session.id, ${row.assistant_id},
           ${JSON.stringify({ session: toPublicSession(row) })}::jsonb, ${row.created_at}
    FROM session`,
    sql`slot AS (${takeFreeSlot(input.orgId, row.id, input.defaultLimit)}
       ), session AS (
         INSERT INTO sessions (id, org_id, assistant_id, assistant, transport, status, audio, metadata,
                               stream_token_hash, stream_token_expires_at, created_at)
         SELECT ${row.id}, ${row.org_id}, ${row.assistant_id}, ${JSON.stringify(row.assistant)}::jsonb, ${row.transport},
                'created', ${JSON.stringify(row.audio)}::jsonb, ${JSON.stringify(row.metadata)}::jsonb,
                decode(${input.streamTokenHash?.toString('hex') ?? null}, 'hex'), ${row.stream_token_expires_at}, ${row.created_at}
         FROM slot
         RETURNING id
       )`,
    { notify: false },
  );
  for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
    const [, created] = await db.tenantBatch(input.orgId, () => [expireUnconnectedSessions({ orgId: input.orgId }), insert]);
    if (created!.length > 0) {
      // The session is committed whatever happens to the wake-up: without it the deliverer's poll finds the event.
      await notifyOutbox(db, eventId).catch(() => undefined);
      return row;
    }
    const [[slots]] = (await db.tenantBatch(input.orgId, () => [addSlots(input.orgId, input.defaultLimit)])) as [[{ retry: boolean }]];
    if (!slots.retry) return undefined;
  }
  return undefined;
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

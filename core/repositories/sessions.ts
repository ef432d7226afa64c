import type { Knex } from 'knex';
import { chargeEndingSession, DEFAULT_SESSION_BILLING, type SessionBilling } from '../billing/session-charge.ts';
import type { PublicCost } from '../../contract/cost.ts';
import { runSql, type Database, type Transaction } from '../db/database.ts';
import { sql, type Sql } from '../db/sql.ts';
import { toPublicSession } from '../../contract/session.ts';
import { NEVER_CONNECTED, NO_LATENCY, NO_USAGE, type AudioFormat, type SessionLatency, type SessionRow, type SessionSource, type SessionUsage, type Transport } from '../domain/session.ts';
import { requestEvaluationAtSessionEnd } from '../evaluations/evaluation-jobs.ts';
import { appendEvent, appendEventsStatement, notifyOutbox } from '../webhooks/outbox.ts';
import { withLatestEvaluation } from './evaluations.ts';
import { newId, newIdSql } from '../ids.ts';
import { addSlots, takeFreeSlot } from './session-slots.ts';
import type { PublicAssistant } from '../../contract/assistant.ts';

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
  const eventId = newId('event');
  // Committed without its NOTIFY, which is sent after the commit (see notifyOutbox): creates are the burst path.
  const insert = appendEventsStatement(
    sql`SELECT ${eventId}, ${row.org_id}, 'session.created', session.id, ${row.assistant_id},
           ${JSON.stringify({ session: toPublicSession(row) })}::jsonb, ${row.created_at}
    FROM session`,
    sql`slot AS (${takeFreeSlot(input.orgId, row.id, input.defaultLimit)}
       ), session AS (
         INSERT INTO sessions (id, org_id, assistant_id, assistant, transport, source, status, audio, metadata,
                               stream_token_hash, stream_token_expires_at, created_at)
         SELECT ${row.id}, ${row.org_id}, ${row.assistant_id}, ${JSON.stringify(row.assistant)}::jsonb, ${row.transport}, ${row.source},
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

/**
 * What the agent runtime reads and writes while it runs a session: the stream claim and the end-of-session report.
 * Every tenant write runs as the tenant role (RLS) and records its outbox event in the same transaction.
 */

export interface StreamSessionRow {
  id: string;
  org_id: string;
  assistant_id: string;
  assistant: unknown;
  audio: unknown;
  metadata: Record<string, string>;
  status: 'created' | 'active' | 'ended' | 'failed';
  ended_reason: string | null;
  stream_token_hash: Buffer | null;
  stream_token_expires_at: Date | null;
  started_at: Date | null;
}

/**
 * Looks a session up by id alone. Cross-tenant by nature (the connecting client holds only a session id and its
 * token, no API key), so it runs as the system role; the caller must verify the token before trusting the row.
 */
export async function findSessionForStream(db: Database, sessionId: string): Promise<StreamSessionRow | undefined> {
  return db.system((trx) =>
    trx<StreamSessionRow>('sessions')
      .where({ id: sessionId })
      .first('id', 'org_id', 'assistant_id', 'assistant', 'audio', 'metadata', 'status', 'ended_reason', 'stream_token_hash', 'stream_token_expires_at', 'started_at'),
  );
}

/**
 * created → active, exactly once: the conditional update is the lock, so of two racing connections one wins and the
 * other sees `undefined` (4009). That makes the token single-use; its hash stays, so the gateway can still tell the
 * token's holder (who may learn that the session is live or over) from anyone else (who may not). `agentProcessId`
 * marks the process that runs it, so the others end it if that process dies (process-presence.ts).
 */
export async function claimSessionForStream(
  db: Database,
  orgId: string,
  sessionId: string,
  options: { transport?: Transport; agentProcessId?: string | undefined } = {},
): Promise<{ startedAt: Date } | undefined> {
  const transport = options.transport ?? 'websocket';
  return db.tenant(orgId, async (trx) => {
    const [row] = await trx('sessions')
      .where({ org_id: orgId, id: sessionId, status: 'created' })
      .update({ status: 'active', started_at: trx.fn.now(), ...(options.agentProcessId ? { agent_process_id: options.agentProcessId } : {}) })
      .returning(['id', 'assistant_id', 'started_at']);
    if (!row) return undefined;
    const startedAt = row.started_at as Date;
    await appendEvent(trx, {
      orgId,
      type: 'session.started',
      sessionId,
      assistantId: row.assistant_id as string,
      data: { session_id: sessionId, assistant_id: row.assistant_id, transport, started_at: startedAt.toISOString() },
    });
    return { startedAt };
  });
}

export interface SessionRef {
  orgId: string;
  sessionId: string;
  assistantId: string;
}

export interface SessionEnd {
  status: 'ended' | 'failed';
  endedReason: string;
  usage: SessionUsage;
  latency: SessionLatency;
  /** How the session is charged; the default prices, with no meter events, when not given. */
  billing?: SessionBilling;
  /** When it ended, when that was earlier than now (the database's clock). */
  endedAt?: Date;
}

/**
 * active → ended/failed with the usage and latency summary, its cost (and usage records), and the `session.ended`
 * event carrying the end-of-session report (transcript, durations, usage, cost, latency, reason), and the evaluation
 * its analysis asks for (enqueued by the caller once this commits: `enqueueSessionEvaluations`). A session already
 * ended elsewhere is left as it is.
 */
export async function finishSession(db: Database, ref: SessionRef, end: SessionEnd): Promise<Record<string, unknown> | undefined> {
  return db.tenant(ref.orgId, async (trx) => {
    const [row] = await trx('sessions')
      .where({ org_id: ref.orgId, id: ref.sessionId })
      .whereIn('status', ['created', 'active'])
      .update({
        status: end.status,
        ended_reason: end.endedReason,
        ended_at: end.endedAt ?? trx.fn.now(),
        usage: JSON.stringify(end.usage),
        latency: JSON.stringify(end.latency),
      })
      .returning(['id', 'assistant_id', 'assistant', 'source', 'created_at', 'started_at', 'ended_at', 'metadata']);
    if (!row) return undefined;
    const cost = await chargeEndingSession(
      trx,
      { ...ref, assistant: row.assistant, source: row.source, startedAt: row.started_at as Date | null, endedAt: row.ended_at as Date, usage: end.usage },
      end.billing ?? DEFAULT_SESSION_BILLING,
    );
    const report = await endOfSessionReport(trx, ref, row, end, cost);
    await appendEvent(trx, { orgId: ref.orgId, type: 'session.ended', sessionId: ref.sessionId, assistantId: ref.assistantId, data: report });
    await requestEvaluationAtSessionEnd(trx, ref);
    return report;
  });
}

async function endOfSessionReport(
  trx: Transaction,
  ref: SessionRef,
  row: Record<string, unknown>,
  end: SessionEnd,
  cost: PublicCost | null,
): Promise<Record<string, unknown>> {
  const messages = await trx('messages')
    .where({ org_id: ref.orgId, session_id: ref.sessionId })
    .orderBy('id', 'asc')
    .select('id', 'role', 'text', 'start_ms', 'end_ms', 'interrupted', 'tool_calls', 'tool_result');
  const startedAt = row.started_at as Date | null;
  const endedAt = row.ended_at as Date;
  return {
    session_id: ref.sessionId,
    assistant_id: ref.assistantId,
    status: end.status,
    ended_reason: end.endedReason,
    created_at: (row.created_at as Date).toISOString(),
    started_at: startedAt?.toISOString() ?? null,
    ended_at: endedAt.toISOString(),
    duration_ms: startedAt ? endedAt.getTime() - startedAt.getTime() : null,
    metadata: row.metadata,
    usage: end.usage,
    cost,
    latency: end.latency,
    transcript: messages.map((message) => ({
      id: message.id,
      role: message.role,
      text: message.text,
      start_ms: message.start_ms,
      end_ms: message.end_ms,
      interrupted: message.interrupted,
      ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      ...(message.tool_result ? { tool_result: message.tool_result } : {}),
    })),
  };
}

import type { Knex } from 'knex';
import type { Database, Transaction } from '../db/database.ts';
import { toPublicSession, type AudioFormat, type SessionRow, type SessionStatus, type Transport } from '../domain/session.ts';
import { OUTBOX_CHANNEL } from '../events/outbox.ts';
import { newId } from '../ids.ts';
import type { PublicAssistant } from './assistants.ts';

export interface NewSession {
  orgId: string;
  assistant: PublicAssistant;
  transport: Transport;
  audio: AudioFormat;
  metadata: Record<string, string>;
  streamTokenHash: Buffer;
  streamTokenExpiresAt: Date;
}

/**
 * Creates a session and its `session.created` event if the organization is below its concurrency limit; undefined
 * when it is not. Sessions holding a slot are connected ones and created ones whose token can still be used.
 *
 * The organization row is locked first, so racing creates count one after the other; the count, the insert and the
 * event then run as one statement with a fresh snapshot that sees every session committed before the lock was
 * granted. All of it travels in one round trip (`tenantBatch`), so the lock is held while the statements execute,
 * never across a trip back to this process.
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
    stream_token_hash: input.streamTokenHash,
    stream_token_expires_at: input.streamTokenExpiresAt,
    usage: null,
    latency: null,
    created_at: new Date(),
    started_at: null,
    ended_at: null,
    recording_status: null,
  };
  const [, notified] = await db.tenantBatch(input.orgId, (q) => [
    q('organizations').where({ id: input.orgId }).select('id').forUpdate(),
    q.raw(
      `WITH below_limit AS (
         SELECT 1 WHERE (
           SELECT count(*) FROM sessions
           WHERE org_id = ? AND (status = 'active' OR (status = 'created' AND stream_token_expires_at > now()))
         ) < (SELECT coalesce((settings->>'max_concurrent_sessions')::int, ?) FROM organizations WHERE id = ?)
       ), session AS (
         INSERT INTO sessions (id, org_id, assistant_id, assistant, transport, status, audio, metadata,
                               stream_token_hash, stream_token_expires_at, created_at)
         SELECT ?, ?, ?, ?::jsonb, ?, 'created', ?::jsonb, ?::jsonb, decode(?, 'hex'), ?, ? FROM below_limit
         RETURNING id
       ), event AS (
         INSERT INTO events (id, org_id, type, session_id, assistant_id, data, created_at)
         SELECT ?, ?, 'session.created', session.id, ?, ?::jsonb, ? FROM session
         RETURNING id
       )
       SELECT pg_notify(?, event.id) FROM event`,
      [
        input.orgId,
        input.defaultLimit,
        input.orgId,
        row.id,
        row.org_id,
        row.assistant_id,
        JSON.stringify(row.assistant),
        row.transport,
        JSON.stringify(row.audio),
        JSON.stringify(row.metadata),
        input.streamTokenHash.toString('hex'),
        row.stream_token_expires_at,
        row.created_at,
        newId('event'),
        row.org_id,
        row.assistant_id,
        JSON.stringify({ session: toPublicSession(row) }),
        row.created_at,
        OUTBOX_CHANNEL,
      ],
    ),
  ]);
  return notified!.length > 0 ? row : undefined;
}

/** Sessions with their recording's status, for the public representation. */
export function sessionsQuery(q: Knex, orgId: string) {
  return q<SessionRow>('sessions')
    .leftJoin('recordings', 'recordings.session_id', 'sessions.id')
    .where('sessions.org_id', orgId)
    .select('sessions.*', 'recordings.status as recording_status');
}

export async function getSession(trx: Transaction, orgId: string, id: string): Promise<SessionRow | undefined> {
  return sessionsQuery(trx, orgId).where('sessions.id', id).first();
}

/** Ends a session that never connected. Connected sessions are ended by the runtime running them. */
export async function endUnconnectedSession(trx: Transaction, orgId: string, id: string, reason: string): Promise<SessionRow | undefined> {
  const [row] = await trx<SessionRow>('sessions')
    .where({ org_id: orgId, id, status: 'created' satisfies SessionStatus })
    .update({ status: 'ended', ended_reason: reason, ended_at: trx.fn.now() as never, stream_token_hash: null })
    .returning('id');
  return row ? getSession(trx, orgId, id) : undefined;
}

import type { Knex } from 'knex';
import type { Transaction } from '../db/database.ts';
import type { AudioFormat, SessionRow, SessionStatus, Transport } from '../domain/session.ts';
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

export async function insertSession(trx: Transaction, input: NewSession): Promise<SessionRow> {
  const [row] = await trx<SessionRow>('sessions')
    .insert({
      id: newId('session'),
      org_id: input.orgId,
      assistant_id: input.assistant.id,
      assistant: JSON.stringify(input.assistant) as never,
      transport: input.transport,
      status: 'created',
      audio: JSON.stringify(input.audio) as never,
      metadata: JSON.stringify(input.metadata) as never,
      stream_token_hash: input.streamTokenHash,
      stream_token_expires_at: input.streamTokenExpiresAt,
    })
    .returning('*');
  return row!;
}

/**
 * Sessions holding a concurrency slot: connected ones, and created ones whose connection token can still be used.
 * Call with the organization row locked so two racing creates count one after the other.
 */
export async function countLiveSessions(trx: Transaction, orgId: string): Promise<number> {
  const row = await trx('sessions')
    .where({ org_id: orgId })
    .whereIn('status', ['created', 'active'])
    .andWhere((live) => live.where('status', 'active').orWhere('stream_token_expires_at', '>', trx.fn.now()))
    .count<{ count: number }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
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

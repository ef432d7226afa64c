import type { Database } from '../db/database.ts';
import type { Transport } from '../domain/session.ts';

/**
 * The processes that run sessions, and which session each one holds (migration 012): LiveKit agent hosts, and the
 * processes that run WebSocket sessions (process-presence.ts). Cross-tenant by nature (a process serves every
 * organization), so all of it runs as the system role.
 */

export interface ClaimedLiveKitSession {
  id: string;
  org_id: string;
  assistant_id: string;
  assistant: unknown;
  /** Until when the customer may join; past it the session ends `never-connected`. */
  stream_token_expires_at: Date;
}

export interface OrphanedSession {
  id: string;
  agent_process_id: string;
  org_id: string;
  assistant_id: string;
  status: 'created' | 'active';
}

/** A process serving WebSocket session streams to api processes registers where (`stream_url`). */
export async function registerAgentProcess(db: Database, process: { id: string; host: string; pid: number; stream_url?: string }): Promise<void> {
  await db.system((trx) => trx('agent_processes').insert(process));
}

/** From now on api processes may hand the process customers' connections, at `streamUrl` (null: no more). */
export async function advertiseAgentStreams(db: Database, id: string, streamUrl: string | null): Promise<void> {
  await db.system((trx) => trx('agent_processes').where({ id }).update({ stream_url: streamUrl }));
}

/**
 * Records that the process is alive (and, for a stream-serving one, how many sessions it runs); false when its row is
 * gone (others took it for dead and handled its sessions).
 */
export async function beatAgentProcess(db: Database, id: string, liveSessions?: number): Promise<boolean> {
  return db.system(async (trx) => (await trx('agent_processes').where({ id }).update({ heartbeat_at: trx.fn.now(), live_sessions: liveSessions })) > 0);
}

/** Agent processes serving session streams that beat within `staleMs`, the least loaded first (ties in random order). */
export async function streamAgentProcesses(db: Database, staleMs: number): Promise<Array<{ id: string; stream_url: string }>> {
  return db.system((trx) =>
    trx('agent_processes')
      .whereNotNull('stream_url')
      .where('heartbeat_at', '>', trx.raw(`now() - make_interval(secs => ?)`, [staleMs / 1000]))
      .orderBy('live_sessions', 'asc')
      .orderByRaw('random()')
      .select('id', 'stream_url'),
  );
}

export async function removeAgentProcess(db: Database, id: string): Promise<void> {
  await db.system((trx) => trx('agent_processes').where({ id }).delete());
}

/** Takes a waiting LiveKit session for a process; undefined when another process took it or it no longer waits. */
export async function claimLiveKitSession(db: Database, sessionId: string, agentProcessId: string): Promise<ClaimedLiveKitSession | undefined> {
  return db.system(async (trx) => {
    const [row] = await trx('sessions')
      .where({ id: sessionId, transport: 'livekit', status: 'created' })
      .whereNull('agent_process_id')
      .update({ agent_process_id: agentProcessId })
      .returning(['id', 'org_id', 'assistant_id', 'assistant', 'stream_token_expires_at']);
    return row as ClaimedLiveKitSession | undefined;
  });
}

/** LiveKit sessions no process has taken yet (their announcement was missed, or their process died before the customer came). */
export async function waitingLiveKitSessions(db: Database, limit: number): Promise<string[]> {
  const rows = await db.system((trx) =>
    trx('sessions')
      .where({ transport: 'livekit', status: 'created' })
      .whereNull('agent_process_id')
      .where('stream_token_expires_at', '>', trx.fn.now())
      .orderBy('created_at', 'asc')
      .limit(limit)
      .select('id'),
  );
  return rows.map((row: { id: string }) => row.id);
}

/** Live sessions of `transport` held by processes whose heartbeat is older than `staleMs` (or whose row is gone). */
export async function orphanedSessions(db: Database, staleMs: number, transport: Transport): Promise<OrphanedSession[]> {
  return db.system((trx) =>
    trx('sessions')
      .where({ transport })
      .whereIn('status', ['created', 'active'])
      .whereNotNull('agent_process_id')
      .whereNotIn(
        'agent_process_id',
        trx('agent_processes').where('heartbeat_at', '>', trx.raw(`now() - make_interval(secs => ?)`, [staleMs / 1000])).select('id'),
      )
      .select('id', 'agent_process_id', 'org_id', 'assistant_id', 'status'),
  );
}

/** Gives a session nobody joined yet back to the waiting ones, for another process to take. */
export async function releaseLiveKitSession(db: Database, sessionId: string, agentProcessId: string): Promise<boolean> {
  return db.system(async (trx) => (await trx('sessions').where({ id: sessionId, status: 'created', agent_process_id: agentProcessId }).update({ agent_process_id: null })) > 0);
}

/** Forgets processes that stopped beating and hold no live session any more. */
export async function forgetDeadAgentProcesses(db: Database, staleMs: number): Promise<void> {
  await db.system((trx) =>
    trx('agent_processes')
      .where('heartbeat_at', '<=', trx.raw(`now() - make_interval(secs => ?)`, [staleMs / 1000]))
      .whereNotExists(trx('sessions').whereRaw('sessions.agent_process_id = agent_processes.id').whereIn('status', ['created', 'active']))
      .delete(),
  );
}

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Database } from '../../core/db/database.ts';
import { listenForNotifications } from '../../core/db/notifications.ts';
import { LIVEKIT_DISPATCH_CHANNEL } from '../../core/livekit/session-dispatch.ts';
import type { SessionRooms } from '../../core/livekit/session-rooms.ts';
import type { Logger } from '../../core/logger.ts';
import {
  beatAgentProcess,
  claimLiveKitSession,
  forgetDeadAgentProcesses,
  orphanedSessions,
  registerAgentProcess,
  releaseLiveKitSession,
  removeAgentProcess,
  waitingLiveKitSessions,
  type OrphanedSession,
} from '../../core/repositories/agent-processes.ts';
import { AGENT_UNAVAILABLE } from '../../core/domain/session.ts';
import { finishOrphanedSession } from '../../core/repositories/orphaned-session-end.ts';
import { LiveSessions } from '../session/live-sessions.ts';
import type { RuntimeDeps, SessionOutcome } from '../session/runtime-deps.ts';
import { runRoomSession } from './room-session.ts';

export interface AgentHostTiming {
  /** How often a process records that it is alive, and checks on the others. */
  heartbeatMs: number;
  /** A process silent this long is dead: its sessions are ended, or handed on if nobody joined them yet. */
  staleMs: number;
  /** How often waiting sessions are looked for (an announcement nobody heard). */
  pollMs: number;
  /** A process waits this long per session it holds before claiming an announced one: the least busy claims first. */
  claimDelayPerSessionMs: number;
}

const DEFAULT_TIMING: AgentHostTiming = { heartbeatMs: 1000, staleMs: 4000, pollMs: 2000, claimDelayPerSessionMs: 25 };
const POLL_BATCH = 20;

export interface LiveKitAgentHost {
  readonly id: string;
  /** Sessions this process holds: running, or waiting for their customer. */
  sessionCount(): number;
  /** Ends a session running in this process (false when it runs elsewhere or has ended). */
  endSession(sessionId: string, reason: string): Promise<boolean>;
  /** Stops taking sessions, ends the running ones (`server-shutdown`) and hands back the waiting ones. */
  stop(graceMs: number): Promise<SessionOutcome[]>;
}

export interface AgentHostDeps {
  db: Database;
  logger: Logger;
  rooms: SessionRooms;
  runtime: RuntimeDeps;
  timing?: Partial<AgentHostTiming>;
}

/**
 * The agent role for LiveKit sessions: one process runs many sessions (one room each) with the shared runner. Agent
 * processes share the sessions through the database: a new session is announced on a channel every process listens
 * to, and claimed by one of them with a conditional update; each process keeps a heartbeat, and the others end the
 * sessions of a process that stops beating (or hand on those nobody joined yet).
 */
export async function startLiveKitAgentHost(deps: AgentHostDeps): Promise<LiveKitAgentHost> {
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  const id = `agent_${randomBytes(10).toString('hex')}`;
  const log = deps.logger.child({ component: 'livekit-agent', agent_process_id: id });
  const live = new LiveSessions('livekit');
  /** Claimed sessions, running or waiting, with how to abandon a waiting one. */
  const held = new Map<string, AbortController>();
  let stopping = false;
  await registerAgentProcess(deps.db, { id, host: os.hostname(), pid: process.pid });

  const claim = async (sessionId: string) => {
    if (stopping || held.has(sessionId)) return;
    const claimed = await claimLiveKitSession(deps.db, sessionId, id);
    if (!claimed || stopping) {
      if (claimed) await releaseLiveKitSession(deps.db, sessionId, id);
      return;
    }
    const abort = new AbortController();
    held.set(sessionId, abort);
    log.info('livekit session claimed', { session_id: sessionId });
    void runRoomSession(claimed, { rooms: deps.rooms, runtime: deps.runtime, live, logger: deps.logger }, abort.signal)
      // A session still waiting here (the room could not be joined) goes back to the waiting ones, to be tried again.
      .then(() => releaseLiveKitSession(deps.db, sessionId, id))
      .catch((error: unknown) => log.warn('could not hand back a session', { session_id: sessionId, error: String(error) }))
      .finally(() => held.delete(sessionId));
  };
  const claimSoon = (sessionId: string) => {
    const timer = setTimeout(() => void claim(sessionId).catch((error: unknown) => log.warn('claim failed', { session_id: sessionId, error: String(error) })), held.size * timing.claimDelayPerSessionMs);
    timer.unref();
  };

  const stopListeningForSessions = await listenForNotifications(deps.db, LIVEKIT_DISPATCH_CHANNEL, claimSoon, log);
  const stopListeningForControl = await live.listenForEndRequests(deps.db, log);

  const poll = setInterval(() => {
    void waitingLiveKitSessions(deps.db, POLL_BATCH)
      .then((ids) => ids.forEach(claimSoon))
      .catch((error: unknown) => log.warn('could not look for waiting sessions', { error: String(error) }));
  }, timing.pollMs);
  poll.unref();

  const endOrphan = async (orphan: OrphanedSession) => {
    if (orphan.status === 'created') {
      // Nobody is talking yet: another process can take it over.
      if (await releaseLiveKitSession(deps.db, orphan.id, orphan.agent_process_id)) log.warn('livekit session handed on from a dead agent process', { session_id: orphan.id });
      return;
    }
    const ended = await finishOrphanedSession(deps.db, { orgId: orphan.org_id, sessionId: orphan.id, assistantId: orphan.assistant_id }, AGENT_UNAVAILABLE, deps.runtime.billing);
    if (ended) log.warn('livekit session of a dead agent process ended', { session_id: orphan.id, dead_agent_process_id: orphan.agent_process_id });
    await deps.rooms.delete(orphan.id);
  };
  const heartbeat = setInterval(() => {
    void (async () => {
      if (!(await beatAgentProcess(deps.db, id))) {
        // Taken for dead (a long stall): come back under the same id, the sessions still running here go on.
        await registerAgentProcess(deps.db, { id, host: os.hostname(), pid: process.pid });
      }
      for (const orphan of await orphanedSessions(deps.db, timing.staleMs, 'livekit')) {
        if (orphan.agent_process_id !== id) await endOrphan(orphan);
      }
      await forgetDeadAgentProcesses(deps.db, timing.staleMs);
    })().catch((error: unknown) => log.warn('heartbeat failed', { error: String(error) }));
  }, timing.heartbeatMs);
  heartbeat.unref();

  log.info('livekit agent started');
  return {
    id,
    sessionCount: () => held.size,
    endSession: async (sessionId, reason) => (await live.end(sessionId, reason)) !== undefined,
    async stop(graceMs) {
      stopping = true;
      clearInterval(poll);
      clearInterval(heartbeat);
      await stopListeningForSessions();
      await stopListeningForControl();
      for (const [sessionId, abort] of held) {
        if (live.has(sessionId)) continue;
        abort.abort();
        await releaseLiveKitSession(deps.db, sessionId, id);
      }
      const outcomes = await live.shutdownAll(graceMs);
      await removeAgentProcess(deps.db, id);
      return outcomes;
    },
  };
}

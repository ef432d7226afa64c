import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SessionBilling } from '../../core/billing/session-charge.ts';
import type { Database } from '../../core/db/database.ts';
import { AGENT_UNAVAILABLE } from '../../core/domain/session.ts';
import type { Logger } from '../../core/logger.ts';
import {
  advertiseAgentStreams,
  beatAgentProcess,
  forgetDeadAgentProcesses,
  orphanedSessions,
  registerAgentProcess,
  removeAgentProcess,
} from '../../core/repositories/agent-processes.ts';
import { finishOrphanedSession } from '../../core/repositories/orphaned-session-end.ts';

/** An agent process silent this long gets no new connections from api processes. */
export const STREAM_AGENT_STALE_MS = 4000;

export interface PresenceTiming {
  /** How often the process records that it is alive (with its session count), and checks on the others. */
  heartbeatMs: number;
  /**
   * A process silent this long is dead and its WebSocket sessions are ended. Longer than STREAM_AGENT_STALE_MS: a
   * process that merely stalled (a long garbage collection, a starved machine) should lose new connections, not the
   * calls it is in.
   */
  orphanAfterMs: number;
}

const DEFAULT_TIMING: PresenceTiming = { heartbeatMs: 1000, orphanAfterMs: 15_000 };

export interface ProcessPresenceDeps {
  db: Database;
  logger: Logger;
  /** How the sessions of a dead process are charged; the default prices without it. */
  billing?: SessionBilling | undefined;
}

export interface ProcessPresence {
  /** The process's `agent_processes` id, which each WebSocket session it runs carries. */
  readonly id: string;
  /**
   * Offers this process's session streams to api processes at `url`, the heartbeat reporting `liveSessions()`;
   * resolves to what withdraws the offer.
   */
  serveStreams(url: string, liveSessions: () => number): Promise<() => Promise<void>>;
  /** Stops beating and removes the row: sessions still marked with it are ended by the others. */
  stop(): Promise<void>;
}

/**
 * This process as the others see it when it runs WebSocket sessions (an api with the agent role, an agent serving
 * session streams, the workers playing test runs): a row in `agent_processes` with a heartbeat, whose id each session
 * it runs carries (`sessions.agent_process_id`). A process that dies (killed, out of memory, its machine gone) takes
 * its sessions' counters with it and would hold their concurrent-session slots for good; instead the next heartbeat
 * of any other process — or of this one, started again — ends them `failed`/`agent-unavailable`, charged from what
 * they persisted. One per process: a process never judges itself. LiveKit's agent host keeps its own (agent-host.ts).
 */
export async function startProcessPresence(deps: ProcessPresenceDeps, timing: Partial<PresenceTiming> = {}): Promise<ProcessPresence> {
  const { heartbeatMs, orphanAfterMs } = { ...DEFAULT_TIMING, ...timing };
  const id = `agent_${randomBytes(10).toString('hex')}`;
  const log = deps.logger.child({ component: 'process-presence', agent_process_id: id });
  let stream: { url: string; liveSessions: () => number } | undefined;
  const register = () => registerAgentProcess(deps.db, { id, host: os.hostname(), pid: process.pid, ...(stream ? { stream_url: stream.url } : {}) });
  await register();

  const endOrphans = async () => {
    for (const orphan of await orphanedSessions(deps.db, orphanAfterMs, 'websocket')) {
      if (orphan.agent_process_id === id) continue;
      const ended = await finishOrphanedSession(deps.db, { orgId: orphan.org_id, sessionId: orphan.id, assistantId: orphan.assistant_id }, AGENT_UNAVAILABLE, deps.billing);
      if (ended) log.warn('session of a dead process ended', { session_id: orphan.id, dead_agent_process_id: orphan.agent_process_id });
    }
  };
  const heartbeat = setInterval(() => {
    void (async () => {
      // Taken for dead (a long stall): come back under the same id, the sessions still running here go on.
      if (!(await beatAgentProcess(deps.db, id, stream?.liveSessions()))) await register();
      await endOrphans();
      await forgetDeadAgentProcesses(deps.db, Math.max(STREAM_AGENT_STALE_MS, orphanAfterMs));
    })().catch((error: unknown) => log.warn('heartbeat failed', { error: String(error) }));
  }, heartbeatMs);
  heartbeat.unref();

  return {
    id,
    async serveStreams(url, liveSessions) {
      stream = { url, liveSessions };
      await advertiseAgentStreams(deps.db, id, url);
      return async () => {
        stream = undefined;
        await advertiseAgentStreams(deps.db, id, null);
      };
    },
    async stop() {
      clearInterval(heartbeat);
      await removeAgentProcess(deps.db, id);
    },
  };
}

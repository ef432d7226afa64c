import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import {
  beatAgentProcess,
  forgetDeadAgentProcesses,
  registerAgentProcess,
  removeAgentProcess,
} from '../../core/repositories/agent-processes.ts';
import type { SessionOutcome } from '../session/runtime-deps.ts';
import { attachStreamGateway, type StreamGatewayDeps } from './stream-gateway.ts';

/** How often a stream-serving agent process records that it is alive and how many sessions it runs. */
const HEARTBEAT_MS = 1000;
/** An agent process silent this long gets no new connections from api processes. */
export const STREAM_AGENT_STALE_MS = 4000;

export interface AgentStreamServerOptions {
  port: number;
  host: string;
  /** How api processes reach this one; by default `http://<host>:<port>` (the machine's name when bound to every address). */
  advertisedUrl?: string;
}

export interface AgentStreamServer {
  /** The address api processes are told to reach this one on. */
  readonly url: string;
  /** Sessions running in this process. */
  liveSessionCount(): number;
  /** Ends a session running in this process (false when it runs elsewhere or has ended). */
  endSession(sessionId: string, reason: string): Promise<boolean>;
  /** Stops being offered connections, ends the live sessions (`server-shutdown`) and closes the port. */
  stop(graceMs: number): Promise<SessionOutcome[]>;
}

/**
 * The agent role's WebSocket sessions when the api runs elsewhere: the session stream gateway on a port of its own,
 * which api processes forward customers' connections to. The process registers the address in `agent_processes` and
 * keeps a heartbeat there with its session count, so api processes pick a live, little-loaded agent.
 */
export async function startAgentStreamServer(deps: StreamGatewayDeps, options: AgentStreamServerOptions): Promise<AgentStreamServer> {
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  const gateway = attachStreamGateway(server, deps);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    await gateway.shutdownAll(0);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const reachableHost = options.host === '0.0.0.0' || options.host === '::' ? os.hostname() : options.host;
  const url = options.advertisedUrl ?? `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;
  const id = `agent_${randomBytes(10).toString('hex')}`;
  const log = deps.logger.child({ component: 'agent-stream-server', agent_process_id: id });
  const register = () => registerAgentProcess(deps.db, { id, host: os.hostname(), pid: process.pid, stream_url: url });
  await register();

  const heartbeat = setInterval(() => {
    void (async () => {
      // Taken for dead (a long stall): come back under the same id, the sessions still running here go on.
      if (!(await beatAgentProcess(deps.db, id, gateway.liveSessionCount()))) await register();
      await forgetDeadAgentProcesses(deps.db, STREAM_AGENT_STALE_MS);
    })().catch((error: unknown) => log.warn('heartbeat failed', { error: String(error) }));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  log.info('agent stream server started', { url });

  return {
    url,
    liveSessionCount: () => gateway.liveSessionCount(),
    endSession: (sessionId, reason) => gateway.endSession(sessionId, reason),
    async stop(graceMs) {
      clearInterval(heartbeat);
      await removeAgentProcess(deps.db, id);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const outcomes = await gateway.shutdownAll(graceMs);
      server.closeAllConnections();
      await closed;
      return outcomes;
    },
  };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { ProcessPresence } from '../session/process-presence.ts';
import type { SessionOutcome } from '../session/runtime-deps.ts';
import { attachStreamGateway, type StreamGatewayDeps } from './stream-gateway.ts';

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
 * which api processes forward customers' connections to. The process's presence advertises the address, and its
 * heartbeat the session count, so api processes pick a live, little-loaded agent.
 */
export async function startAgentStreamServer(deps: StreamGatewayDeps, options: AgentStreamServerOptions, presence: ProcessPresence): Promise<AgentStreamServer> {
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  const gateway = attachStreamGateway(server, { ...deps, agentProcessId: presence.id });
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
  const withdraw = await presence.serveStreams(url, () => gateway.liveSessionCount());
  deps.logger.info('agent stream server started', { url, agent_process_id: presence.id });

  return {
    url,
    liveSessionCount: () => gateway.liveSessionCount(),
    endSession: (sessionId, reason) => gateway.endSession(sessionId, reason),
    async stop(graceMs) {
      // Api processes stop handing connections here first.
      await withdraw();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const outcomes = await gateway.shutdownAll(graceMs);
      server.closeAllConnections();
      await closed;
      return outcomes;
    },
  };
}

import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { STREAM_AGENT_STALE_MS } from '../../agent-runtime/session/process-presence.ts';
import { STREAM_PATH } from '../../agent-runtime/stream/stream-gateway.ts';
import { CLOSE_CODES } from '../../agent-runtime/transport/protocol.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { streamAgentProcesses } from '../../core/repositories/agent-processes.ts';

/** How long an agent process may take to accept the connection before the next one is tried. */
const CONNECT_TIMEOUT_MS = 3000;

export interface StreamProxy {
  /** Connections being forwarded now. */
  connectionCount(): number;
  /** Takes no more connections; those being forwarded get up to graceMs to finish, then are cut. */
  stop(graceMs: number): Promise<void>;
}

/**
 * The api role's side of WebSocket sessions when the agent role runs elsewhere: a customer's upgrade request to the
 * session stream is forwarded, as it came, to a live agent process (the least loaded first, the next one if it cannot
 * be reached), and from then on the two connections are joined byte for byte. The agent does the handshake, checks
 * the token and runs the session; every frame and close code passes through untouched, and either side closing
 * closes the other. With no agent process to take it, the connection is accepted and closed with 1013 (try again
 * later), so browser clients learn why.
 */
export function attachStreamProxy(server: http.Server, deps: { db: Database; logger: Logger }): StreamProxy {
  const log = deps.logger.child({ component: 'stream-proxy' });
  const refusals = new WebSocketServer({ noServer: true });
  const joined = new Set<Duplex>();
  let stopping = false;
  /** What `stop` calls waiting for the last forwarded connection to close. */
  const drainWaiters = new Set<() => void>();

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!STREAM_PATH.test(url.pathname)) return;
    socket.on('error', () => socket.destroy());
    forward(request, socket, head).catch((error: unknown) => {
      log.error('stream connection could not be forwarded', { error: String(error) });
      refuse(request, socket, head, CLOSE_CODES.serverError, 'server error');
    });
  });

  async function forward(request: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const agents = stopping ? [] : await streamAgentProcesses(deps.db, STREAM_AGENT_STALE_MS);
    for (const agent of agents) {
      if (socket.destroyed) return;
      const upstream = await connect(agent.stream_url).catch((error: unknown) => {
        log.warn('agent process unreachable', { agent_process_id: agent.id, error: String(error) });
        return undefined;
      });
      if (!upstream) continue;
      if (socket.destroyed) return void upstream.destroy();
      upstream.write(requestHead(request));
      if (head.length > 0) upstream.write(head);
      join(socket, upstream);
      return;
    }
    refuse(request, socket, head, CLOSE_CODES.tryAgainLater, 'no agent available');
  }

  function join(socket: Duplex, upstream: net.Socket): void {
    joined.add(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => {
      joined.delete(socket);
      upstream.destroy();
      if (joined.size === 0) for (const drained of drainWaiters) drained();
    });
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  }

  function refuse(request: http.IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void {
    if (socket.destroyed) return;
    refusals.handleUpgrade(request, socket, head, (ws) => ws.close(code, reason));
  }

  return {
    connectionCount: () => joined.size,
    async stop(graceMs) {
      stopping = true;
      if (joined.size === 0) return;
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          for (const socket of joined) socket.destroy();
          resolve();
        }, graceMs);
        cut.unref();
        const drained = () => {
          drainWaiters.delete(drained);
          clearTimeout(cut);
          resolve();
        };
        drainWaiters.add(drained);
      });
    },
  };
}

function connect(streamUrl: string): Promise<net.Socket> {
  const { hostname, port } = new URL(streamUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || 80 });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('timed out connecting')));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The request line and headers as the client sent them, with its address added to X-Forwarded-For. */
function requestHead(request: http.IncomingMessage): string {
  const lines = [`${request.method} ${request.url} HTTP/1.1`];
  let forwardedFor = request.socket.remoteAddress ?? '';
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    if (name.toLowerCase() === 'x-forwarded-for') forwardedFor = `${value}, ${forwardedFor}`;
    else lines.push(`${name}: ${value}`);
  }
  lines.push(`X-Forwarded-For: ${forwardedFor}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { hashesEqual, sha256 } from '../../core/crypto/tokens.ts';
import { claimSessionForStream, expireUnconnectedSessions, findSessionForStream } from '../../core/repositories/sessions.ts';
import { parseAudioFormat } from '../audio/audio-format.ts';
import { createRuntimeDeps, type RuntimeOptions } from '../session/create-runtime-deps.ts';
import { LiveSessions } from '../session/live-sessions.ts';
import { runSession } from '../session/run-session.ts';
import type { RuntimeDeps, SessionOutcome } from '../session/runtime-deps.ts';
import { CLOSE_CODES } from '../transport/protocol.ts';
import { NEVER_CONNECTED } from '../../core/domain/session.ts';
import { WebSocketTransport } from '../transport/websocket-transport.ts';

/** The session stream's path; its one group is the session id. */
export const STREAM_PATH = /^\/v1\/sessions\/([A-Za-z0-9_]{1,64})\/stream$/;

/** Above the largest legal audio frame (100 ms of 48 kHz PCM16 = 9,600 bytes) and any sane control message. */
const MAX_FRAME_BYTES = 64 * 1024;

export interface StreamGatewayDeps extends RuntimeOptions {
  /** Replaces the runtime dependencies built from the above (tests and benchmarks). */
  runtime?: RuntimeDeps;
}

export interface StreamGateway {
  /** Ends every live session with `server-shutdown`, waiting up to graceMs for them to be persisted. */
  shutdownAll(graceMs: number): Promise<SessionOutcome[]>;
  /** Sessions running in this process. */
  liveSessionCount(): number;
  /** Ends a session running in this process (false when it runs elsewhere or has ended). */
  endSession(sessionId: string, reason: string): Promise<boolean>;
}

/**
 * Serves `GET /v1/sessions/{id}/stream?token=…` (WebSocket upgrade) on an existing HTTP server. Other upgrade paths
 * are left to other handlers. A refused connection is accepted and then closed with the protocol's close code, so
 * browser clients (which cannot read HTTP error statuses on a failed upgrade) learn why.
 */
export function attachStreamGateway(server: http.Server, deps: StreamGatewayDeps): StreamGateway {
  const runtime = deps.runtime ?? createRuntimeDeps(deps);
  const live = new LiveSessions('websocket');
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const log = deps.logger.child({ component: 'stream-gateway' });
  // Ending requests for sessions this process runs may come from any api instance.
  const stopListening = live.listenForEndRequests(deps.db, log).catch((error: unknown) => {
    log.warn('cannot listen for session control requests', { error: String(error) });
    return async () => undefined;
  });

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return;
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(request, socket, head, (ws) => {
      accept(ws, match[1]!, url.searchParams.get('token') ?? '').catch((error: unknown) => {
        log.error('Stream connection failed', { error: String(error) });
        closeWith(ws, CLOSE_CODES.serverError, 'server error');
      });
    });
  });

  async function accept(ws: WebSocket, sessionId: string, token: string): Promise<void> {
    // Frames that arrive while we check the token are held by ws until the transport listens.
    ws.on('error', () => {});
    const row = await findSessionForStream(deps.db, sessionId);
    // Only the holder of a session's token learns anything about it: to anyone else an unknown session, a waiting
    // one, a live one and an ended one all close alike, so the close code cannot be used to probe session ids.
    if (!row?.stream_token_hash || !hashesEqual(sha256(token), row.stream_token_hash)) {
      return closeWith(ws, CLOSE_CODES.badToken, 'bad token');
    }
    if (row.status === 'created' && (!row.stream_token_expires_at || row.stream_token_expires_at.getTime() <= Date.now())) {
      // It can never connect now: it ends at once (with its event) rather than at the next housekeeping pass.
      await deps.db.tenantBatch(row.org_id, () => [expireUnconnectedSessions({ orgId: row.org_id, sessionId })]);
      return closeWith(ws, CLOSE_CODES.badToken, 'token expired');
    }
    // A session ended because its token expired unused still answers "token expired", as it did before it ended.
    if (row.ended_reason === NEVER_CONNECTED) return closeWith(ws, CLOSE_CODES.badToken, 'token expired');
    if (row.status !== 'created' || live.has(sessionId)) {
      return closeWith(ws, CLOSE_CODES.alreadyConnected, 'session already connected or ended');
    }
    const claim = await claimSessionForStream(deps.db, row.org_id, sessionId, { agentProcessId: runtime.agentProcessId });
    if (!claim) return closeWith(ws, CLOSE_CODES.alreadyConnected, 'session already connected or ended');
    const transport = new WebSocketTransport(ws, parseAudioFormat(row.audio));
    const run = runSession(
      { id: row.id, orgId: row.org_id, assistantId: row.assistant_id, assistant: row.assistant, startedAt: claim.startedAt },
      transport,
      runtime,
    );
    live.add(run);
    log.info('session connected', { session_id: sessionId });
    void run.done.then((outcome) => log.info('session ended', { session_id: sessionId, status: outcome.status, ended_reason: outcome.endedReason }));
  }

  return {
    shutdownAll: async (graceMs) => {
      await (await stopListening)();
      return live.shutdownAll(graceMs);
    },
    liveSessionCount: () => live.size,
    endSession: async (sessionId, reason) => (await live.end(sessionId, reason)) !== undefined,
  };
}

function closeWith(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.OPEN) ws.close(code, reason);
}

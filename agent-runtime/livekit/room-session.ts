import { DisconnectReason, Room, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import type { Logger } from '../../core/logger.ts';
import { CUSTOMER_IDENTITY, type SessionRooms } from '../../core/livekit/session-rooms.ts';
import type { ClaimedLiveKitSession } from '../../core/repositories/agent-processes.ts';
import { claimSessionForStream, expireUnconnectedSessions } from '../../core/repositories/sessions.ts';
import type { LiveSessions } from '../session/live-sessions.ts';
import { runSession } from '../session/run-session.ts';
import type { RuntimeDeps } from '../session/runtime-deps.ts';
import { LiveKitRoomTransport } from './room-transport.ts';

export interface RoomSessionDeps {
  rooms: SessionRooms;
  runtime: RuntimeDeps;
  live: LiveSessions;
  logger: Logger;
}

/** How a claimed session left this process before it ran: the customer never came, or the room went away. */
type Wait = 'joined' | 'expired' | 'room-closed';

/**
 * Runs a LiveKit session this process has claimed: joins its room as the agent, waits for the customer (until the
 * session may no longer be joined), then runs the session on the room with the shared runner. Resolves once the
 * session is over and its room deleted. `abort` leaves a room still waiting for its customer (process shutdown).
 */
export async function runRoomSession(session: ClaimedLiveKitSession, deps: RoomSessionDeps, abort: AbortSignal): Promise<void> {
  const log = deps.logger.child({ session_id: session.id, org_id: session.org_id });
  const room = new Room();
  try {
    const ttlS = Math.max(60, Math.ceil((session.stream_token_expires_at.getTime() - Date.now()) / 1000) + 60);
    await room.connect(toWebSocketUrl(deps.rooms.config.url), await deps.rooms.agentToken(session.id, ttlS), { autoSubscribe: true, dynacast: false });
    const wait = await customerJoined(room, session.stream_token_expires_at, abort);
    if (wait === 'expired') {
      await deps.runtime.db.tenantBatch(session.org_id, () => [expireUnconnectedSessions({ orgId: session.org_id, sessionId: session.id })]);
    }
    if (wait !== 'joined') return;
    const claim = await claimSessionForStream(deps.runtime.db, session.org_id, session.id, { transport: 'livekit' });
    // Ended (over the API) while the customer was joining.
    if (!claim) return;
    const transport = await LiveKitRoomTransport.open(room);
    const run = runSession(
      { id: session.id, orgId: session.org_id, assistantId: session.assistant_id, assistant: session.assistant, startedAt: claim.startedAt },
      transport,
      deps.runtime,
    );
    deps.live.add(run);
    log.info('livekit session started');
    const outcome = await run.done;
    log.info('livekit session ended', { status: outcome.status, ended_reason: outcome.endedReason });
  } catch (error) {
    log.error('livekit session could not run', { error: String(error) });
  } finally {
    await room.disconnect().catch(() => {});
    // The customer is disconnected too: the session is over, whoever ended it.
    if (!abort.aborted) await deps.rooms.delete(session.id).catch((error: unknown) => log.warn('could not delete the room', { error: String(error) }));
  }
}

function customerJoined(room: Room, joinableUntil: Date, abort: AbortSignal): Promise<Wait> {
  if (room.remoteParticipants.has(CUSTOMER_IDENTITY)) return Promise.resolve('joined');
  return new Promise<Wait>((resolve) => {
    const finish = (wait: Wait) => {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantConnected, onParticipant);
      room.off(RoomEvent.Disconnected, onDisconnected);
      abort.removeEventListener('abort', onAbort);
      resolve(wait);
    };
    const onParticipant = (participant: RemoteParticipant) => {
      if (participant.identity === CUSTOMER_IDENTITY) finish('joined');
    };
    const onDisconnected = (_reason: DisconnectReason) => finish('room-closed');
    const onAbort = () => finish('room-closed');
    const timer = setTimeout(() => finish('expired'), Math.max(0, joinableUntil.getTime() - Date.now()));
    room.on(RoomEvent.ParticipantConnected, onParticipant);
    room.on(RoomEvent.Disconnected, onDisconnected);
    abort.addEventListener('abort', onAbort);
  });
}

/** Participants connect over WebSocket; the configured URL is the server's HTTP API. */
function toWebSocketUrl(url: string): string {
  return url.replace(/^http/, 'ws');
}

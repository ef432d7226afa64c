import { AccessToken, RoomServiceClient, TrackSource } from 'livekit-server-sdk';
import type { LiveKitConfig } from '../config.ts';

/** The customer's identity in a session's room; the agent's is `AGENT_IDENTITY`. */
export const CUSTOMER_IDENTITY = 'customer';
const AGENT_IDENTITY = 'agent';

/** The customer and the agent. */
const MAX_PARTICIPANTS = 2;
/** After the last participant leaves, the room lingers this long (a reconnecting customer finds it again). */
const DEPARTURE_TIMEOUT_S = 10;

export interface ParticipantGrant {
  url: string;
  room: string;
  token: string;
  identity: string;
  expiresAt: Date;
}

/** A session's room is named after the session, so a webhook or a participant names the session it belongs to. */
function roomOfSession(sessionId: string): string {
  return sessionId;
}

/**
 * The LiveKit rooms of sessions, through the server's room service: one room per session, and tokens that may join
 * only that room.
 */
export class SessionRooms {
  private readonly rooms: RoomServiceClient;

  constructor(readonly config: LiveKitConfig) {
    this.rooms = new RoomServiceClient(config.url, config.apiKey, config.apiSecret);
  }

  /** Creates the room, open for `waitS` seconds before anyone joins (the customer's token lifetime). */
  async create(sessionId: string, waitS: number, metadata: Record<string, string>): Promise<string> {
    const name = roomOfSession(sessionId);
    await this.rooms
      .createRoom({
        name,
        emptyTimeout: waitS,
        departureTimeout: DEPARTURE_TIMEOUT_S,
        maxParticipants: MAX_PARTICIPANTS,
        metadata: JSON.stringify({ session_id: sessionId, metadata }),
      })
      .catch(roomServiceError);
    return name;
  }

  /** Deletes the room (every participant is disconnected); a room already gone is not an error. */
  async delete(sessionId: string): Promise<void> {
    try {
      await this.rooms.deleteRoom(roomOfSession(sessionId));
    } catch (error) {
      if ((error as { status?: number }).status !== 404) roomServiceError(error);
    }
  }

  /** The customer's token: this room only; publish the microphone and data, subscribe. */
  async customerGrant(sessionId: string, expiresAt: Date): Promise<ParticipantGrant> {
    const room = roomOfSession(sessionId);
    const token = new AccessToken(this.config.apiKey, this.config.apiSecret, { identity: CUSTOMER_IDENTITY, ttl: ttlS(expiresAt) });
    token.addGrant({
      roomJoin: true,
      room,
      canPublish: true,
      canPublishSources: [TrackSource.MICROPHONE],
      canPublishData: true,
      canSubscribe: true,
      canUpdateOwnMetadata: false,
    });
    return { url: this.config.publicUrl, room, token: await token.toJwt(), identity: CUSTOMER_IDENTITY, expiresAt };
  }

  /** The agent's token: this room only, as an agent participant. */
  async agentToken(sessionId: string, ttl: number): Promise<string> {
    const token = new AccessToken(this.config.apiKey, this.config.apiSecret, { identity: AGENT_IDENTITY, name: this.config.agentName, ttl });
    token.addGrant({ roomJoin: true, room: roomOfSession(sessionId), agent: true, canPublish: true, canPublishData: true, canSubscribe: true });
    return token.toJwt();
  }
}

/** The room service's errors quote the request's admin token: only their status and code travel on (into logs). */
function roomServiceError(error: unknown): never {
  const { status, code } = error as { status?: number; code?: string };
  throw Object.assign(new Error(`The LiveKit room service answered ${status ?? 'nothing'}${code ? ` (${code})` : ''}`), { status, code });
}

function ttlS(expiresAt: Date): number {
  return Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
}

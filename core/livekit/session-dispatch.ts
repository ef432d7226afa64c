import type { Database } from '../db/database.ts';

/**
 * A LiveKit session waiting for an agent is announced on this channel (its id as the payload); every agent process
 * listens, and the first to claim it runs it. Processes also look for waiting sessions on a timer, so an
 * announcement nobody heard (no agent process was up) is not lost.
 */
export const LIVEKIT_DISPATCH_CHANNEL = 'echosphere_livekit_dispatch';

export async function announceLiveKitSession(db: Database, sessionId: string): Promise<void> {
  await db.system((trx) => trx.raw('SELECT pg_notify(?, ?)', [LIVEKIT_DISPATCH_CHANNEL, sessionId]));
}

import express, { Router } from 'express';
import { WebhookReceiver } from 'livekit-server-sdk';
import { requestSessionEnd } from '../../core/domain/session-control.ts';
import { PlatformError } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { CUSTOMER_IDENTITY } from '../../core/livekit/session-rooms.ts';
import { endUnconnectedSession, findSessionForStream } from '../../core/repositories/sessions.ts';
import type { ApiDeps } from '../deps.ts';

/** LiveKit's webhook bodies are small JSON documents; anything larger is not one. */
const MAX_WEBHOOK_BYTES = 64 * 1024;

/**
 * `POST /v1/livekit/webhook`: the LiveKit server's room events, signed with the API key pair (a JWT in
 * `Authorization` carrying the body's SHA-256). The customer leaving a session's room ends it `participant-left`; the
 * room finishing ends it `room-deleted`. Ending is idempotent, so a repeated delivery changes nothing; a bad
 * signature is a 401 and changes nothing.
 */
export function liveKitWebhookRoutes({ db, config, liveSessions }: ApiDeps): Router {
  const router = Router();
  const liveKit = config.livekit.configured;
  const receiver = liveKit ? new WebhookReceiver(liveKit.apiKey, liveKit.apiSecret) : undefined;

  router.post('/v1/livekit/webhook', express.text({ type: () => true, limit: MAX_WEBHOOK_BYTES }), async (req, res) => {
    if (!receiver) throw new PlatformError('not_found', 'livekit_not_configured', 'LiveKit is not configured on this server.');
    const body = typeof req.body === 'string' ? req.body : '';
    const event = await receiver.receive(body, req.get('authorization')).catch(() => {
      throw new PlatformError('authentication', 'invalid_webhook_signature', 'The webhook is not signed with this server\'s LiveKit key pair.');
    });
    const sessionId = event.room?.name ?? '';
    const reason =
      event.event === 'room_finished' ? 'room-deleted' : event.event === 'participant_left' && event.participant?.identity === CUSTOMER_IDENTITY ? 'participant-left' : undefined;
    if (reason && isId('session', sessionId)) await endSession(sessionId, reason);
    res.json({ received: true });
  });

  /** As `POST /v1/sessions/{id}/end` does, without waiting: the runtime running it ends it and persists the report. */
  async function endSession(sessionId: string, reason: string): Promise<void> {
    const session = await findSessionForStream(db, sessionId);
    if (!session || session.status === 'ended' || session.status === 'failed') return;
    if (session.status === 'created') {
      const ended = await db.tenant(session.org_id, (trx) => endUnconnectedSession(trx, session.org_id, sessionId, reason));
      if (ended) return;
    }
    if (await liveSessions?.endSession(sessionId, reason)) return;
    await db.tenant(session.org_id, (trx) => requestSessionEnd(trx, { sessionId, reason }));
  }

  return router;
}

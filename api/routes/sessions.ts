import { Router, type Request } from 'express';
import { z } from 'zod';
import { admissionRefusal, selectSessionAdmission, type AdmissionRow } from '../../core/billing/session-admission.ts';
import { generateToken } from '../../core/crypto/tokens.ts';
import { SessionRooms } from '../../core/livekit/session-rooms.ts';
import { announceLiveKitSession } from '../../core/livekit/session-dispatch.ts';
import type { SessionRow } from '../../core/domain/session.ts';
import { requestSessionEnd } from '../../core/domain/session-control.ts';
import { toPublicSession } from '../../contract/session.ts';
import { PlatformError, notFound } from '../../core/errors.ts';
import { isId } from '../../core/ids.ts';
import { toPublicAssistant } from '../../contract/assistant.ts';
import { selectAssistant, type AssistantRow } from '../../core/repositories/assistants.ts';
import { createSessionWithinLimit, endUnconnectedSession, getSession, sessionsQuery } from '../../core/repositories/sessions.ts';
import { listMessages } from '../../core/repositories/messages.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicMessage } from '../presenters/message.ts';
import { pageQuery, pageResult } from '../../core/db/pagination.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf, type AuthContext } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { parse, parseBody } from '../http/validation.ts';

export const createSessionBody = z.strictObject({
  assistant_id: z.string().refine((id) => isId('assistant', id), 'must be an assistant id'),
  transport: z.enum(['websocket', 'livekit']).default('websocket'),
  audio: z
    .strictObject({
      encoding: z.enum(['pcm_s16le', 'mulaw']).default('pcm_s16le'),
      sample_rate_hz: z.union([z.literal(8000), z.literal(16000), z.literal(24000), z.literal(48000)]).default(16000),
    })
    .default({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((value) => Object.keys(value).length <= 50, 'may hold at most 50 keys')
    .default({}),
  /** Test runs' sessions are made by the runner, never through this route. */
  source: z.enum(['api', 'dashboard']).default('api'),
});

const listSessionsQuery = paginationQuery('session').extend({
  assistant_id: z.string().refine((id) => isId('assistant', id), 'must be an assistant id').optional(),
  status: z.enum(['created', 'active', 'ended', 'failed']).optional(),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
  passed: z.enum(['true', 'false']).optional(),
  source: z.enum(['api', 'dashboard', 'test', 'all']).optional(),
});

const END_WAIT_MS = 5000;

/** A public key starts sessions with its allowed assistants only (its origin was checked by publicKeyScope). */
function checkAssistantGrant(auth: AuthContext, assistantId: string): void {
  if (auth.keyType === 'public' && !auth.allowedAssistantIds?.includes(assistantId)) {
    throw new PlatformError('permission', 'assistant_not_allowed', 'This public key may not start sessions with this assistant.', 'assistant_id');
  }
}

function streamUrl(req: Request, publicUrl: string | undefined, sessionId: string): string {
  const base = publicUrl ?? `${req.protocol}://${req.get('host')}`;
  return `${base.replace(/^http/, 'ws')}/v1/sessions/${sessionId}/stream`;
}

export function sessionRoutes({ db, config, liveSessions, logger }: ApiDeps): Router {
  const router = Router();
  const rooms = config.livekit.configured ? new SessionRooms(config.livekit.configured) : undefined;

  router.post('/', async (req, res) => {
    const auth = authOf(req);
    const body = parseBody(createSessionBody, req);
    checkAssistantGrant(auth, body.assistant_id);
    if (body.transport === 'livekit' && !rooms) {
      const missing = config.livekit.missing.join(', ');
      throw new PlatformError('conflict', 'transport_unavailable', `The livekit transport is not configured on this server (${missing} unset); use "websocket".`, 'transport');
    }
    // A LiveKit session is joined with a LiveKit token, never with a stream token.
    const token = body.transport === 'websocket' ? generateToken('st_') : undefined;
    const expiresAt = new Date(Date.now() + config.sessionTokenTtlS * 1000);
    const [assistants, admissions] = await db.tenantBatch(auth.orgId, () => [
      selectAssistant(auth.orgId, body.assistant_id),
      selectSessionAdmission(auth.orgId, new Date()),
    ]);
    const assistant = assistants![0] as AssistantRow | undefined;
    if (!assistant) throw notFound('assistant', body.assistant_id, 'assistant_id');
    const refusal = admissionRefusal(admissions![0] as AdmissionRow | undefined);
    if (refusal) throw refusal;
    const row = await createSessionWithinLimit(db, {
      orgId: auth.orgId,
      assistant: toPublicAssistant(assistant),
      transport: body.transport,
      source: body.source,
      audio: body.audio,
      metadata: body.metadata,
      streamTokenHash: token?.hash,
      streamTokenExpiresAt: expiresAt,
      defaultLimit: config.defaultMaxConcurrentSessions,
    });
    if (!row) {
      throw new PlatformError('conflict', 'concurrency_limit_reached', 'This organization has reached its max_concurrent_sessions; end a session or raise the limit.');
    }
    if (token) {
      return void res.status(201).json({
        ...toPublicSession(row),
        websocket: { url: streamUrl(req, config.publicUrl, row.id), token: token.plaintext, expires_at: expiresAt.toISOString() },
      });
    }
    const grant = await openRoom(rooms!, row, expiresAt);
    res.status(201).json({
      ...toPublicSession(row),
      livekit: { url: grant.url, room: grant.room, token: grant.token, identity: grant.identity, expires_at: expiresAt.toISOString() },
    });
  });

  /** The session's room, a token for the customer, and the announcement agent processes claim it from. */
  async function openRoom(liveKit: SessionRooms, row: SessionRow, expiresAt: Date) {
    try {
      await liveKit.create(row.id, config.sessionTokenTtlS, row.metadata);
    } catch (error) {
      logger.error('could not create a LiveKit room', { session_id: row.id, error: String(error) });
      await db.tenant(row.org_id, (trx) => endUnconnectedSession(trx, row.org_id, row.id, 'livekit-unavailable'));
      throw new PlatformError('internal', 'livekit_unavailable', 'The LiveKit server could not create the session\'s room; try again later.', undefined, 503);
    }
    await announceLiveKitSession(db, row.id);
    return liveKit.customerGrant(row.id, expiresAt);
  }

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const query = parse(listSessionsQuery, req.query, 'query');
    const rows = await db.tenantRead<SessionRow>(orgId, (q) => {
      const builder = sessionsQuery(q, orgId);
      if (query.assistant_id) builder.where('sessions.assistant_id', query.assistant_id);
      if (query.status) builder.where('sessions.status', query.status);
      if (query.created_after) builder.where('sessions.created_at', '>', query.created_after);
      if (query.created_before) builder.where('sessions.created_at', '<', query.created_before);
      if (query.passed) builder.where('latest_evaluation.passed', query.passed === 'true');
      // Test runs' sessions would drown the customers' ones: they are listed only when asked for.
      if (query.source === undefined) builder.whereNot('sessions.source', 'test');
      else if (query.source !== 'all') builder.where('sessions.source', query.source);
      return pageQuery(builder, query, 'sessions.id');
    });
    const { rows: window, hasMore } = pageResult(rows, query);
    res.json(listResponse(window.map(toPublicSession), hasMore));
  });

  router.get('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'session', 'session');
    const [row] = await db.tenantRead<SessionRow>(orgId, (q) => sessionsQuery(q, orgId).where('sessions.id', id).limit(1));
    if (!row) throw notFound('session', id);
    res.json(toPublicSession(row));
  });

  router.get('/:id/messages', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'session', 'session');
    const page = parse(paginationQuery('message'), req.query, 'query');
    const result = await db.tenant(orgId, async (trx) => {
      if (!(await getSession(trx, orgId, id))) throw notFound('session', id);
      return listMessages(trx, orgId, id, page);
    });
    res.json(listResponse(result.rows.map(toPublicMessage), result.hasMore));
  });

  router.post('/:id/end', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'session', 'session');
    const current = await db.tenant(orgId, async (trx) => {
      let session = await getSession(trx, orgId, id);
      if (!session) throw notFound('session', id);
      if (session.status === 'created') {
        const ended = await endUnconnectedSession(trx, orgId, id, 'customer-ended');
        if (ended) return ended;
        // A client connected, or another request ended it, while this one waited for the row.
        session = (await getSession(trx, orgId, id))!;
      }
      if (session.status === 'ended' || session.status === 'failed') {
        throw new PlatformError('conflict', 'session_already_ended', `Session "${id}" has already ended.`);
      }
      return session;
    });
    if (current.status !== 'active') {
      // Nobody joined: the agent waiting in the room leaves as the room goes. A joined room is deleted by its agent.
      if (current.transport === 'livekit') await rooms?.delete(id).catch((error: unknown) => logger.warn('could not delete the room', { session_id: id, error: String(error) }));
      return void res.json(toPublicSession(current));
    }
    // A connected session is ended by the runtime running it, which persists the transcript and report first:
    // directly when it runs in this process, otherwise through whichever instance holds its WebSocket.
    if (!(await liveSessions?.endSession(id, 'customer-ended'))) {
      await db.tenant(orgId, (trx) => requestSessionEnd(trx, { sessionId: id, reason: 'customer-ended' }));
    }
    res.json(toPublicSession(await waitUntilEnded(orgId, id)));
  });

  /** The session once its runtime has persisted the end, or as it stands after a few seconds (then it is ending). */
  async function waitUntilEnded(orgId: string, id: string): Promise<SessionRow> {
    const deadline = Date.now() + END_WAIT_MS;
    for (;;) {
      const [row] = await db.tenantRead<SessionRow>(orgId, (q) => sessionsQuery(q, orgId).where('sessions.id', id).limit(1));
      if (row!.status !== 'active' || Date.now() >= deadline) return row!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return router;
}

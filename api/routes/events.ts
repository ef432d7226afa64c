import { Router } from 'express';
import { z } from 'zod';
import { notFound, PlatformError } from '../../core/errors.ts';
import { EVENT_TYPES } from '../../core/webhooks/catalogue.ts';
import { toPublicEvent } from '../../contract/event.ts';
import { isId } from '../../core/ids.ts';
import { findWebhookEndpoint } from '../../core/webhooks/endpoints.ts';
import { findEvent, listEvents, redeliverEvent } from '../../core/webhooks/events.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicWebhookDelivery } from '../presenters/webhook-delivery.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { serveTenantList, serveTenantObject } from '../http/tenant-object.ts';
import { parseBody } from '../http/validation.ts';

const eventsQuery = paginationQuery('event').extend({
  type: z.enum(EVENT_TYPES).optional(),
  session_id: z.string().refine((id) => isId('session', id), 'must be a session id').optional(),
});

export const redeliverBody = z.strictObject({
  /** Only to this endpoint; without it, to every endpoint (or server_url) the event would go to now. */
  endpoint_id: z.string().refine((id) => isId('webhookEndpoint', id), 'must be a webhook endpoint id').optional(),
});

export function eventRoutes({ db }: ApiDeps): Router {
  const router = Router();

  router.get('/', serveTenantList(db, eventsQuery, (trx, orgId, query) => listEvents(trx, orgId, { type: query.type, sessionId: query.session_id }, query), toPublicEvent));

  router.get('/:id', serveTenantObject(db, { kind: 'event', resource: 'event' }, findEvent, toPublicEvent));

  router.post('/:id/redeliver', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'event', 'event');
    const body = parseBody(redeliverBody, req);
    const { event, deliveries } = await db.tenant(orgId, async (trx) => {
      const event = await findEvent(trx, orgId, id);
      if (!event) throw notFound('event', id);
      let endpoint;
      if (body.endpoint_id) {
        endpoint = await findWebhookEndpoint(trx, orgId, body.endpoint_id);
        if (!endpoint) throw notFound('webhook endpoint', body.endpoint_id, 'endpoint_id');
        if (!endpoint.enabled) throw new PlatformError('conflict', 'endpoint_disabled', 'This webhook endpoint is disabled; enable it to redeliver to it.', 'endpoint_id');
      }
      return { event, deliveries: await redeliverEvent(trx, event, endpoint) };
    });
    res.status(202).json(listResponse(deliveries.map((delivery) => toPublicWebhookDelivery(delivery, event.type)), false));
  });

  return router;
}

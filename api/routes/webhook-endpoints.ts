import { Router } from 'express';
import { z } from 'zod';
import { notFound, PlatformError } from '../../core/errors.ts';
import { listEndpointDeliveries, eventTypesById } from '../../core/webhooks/deliveries.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from '../../core/webhooks/endpoints.ts';
import { sendTestEvent } from '../../core/webhooks/events.ts';
import { isSubscribable, SUBSCRIBABLE_EVENT_TYPES, WILDCARD } from '../../core/webhooks/event-subscriptions.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicWebhookDelivery } from '../presenters/webhook-delivery.ts';
import { toPublicWebhookEndpoint } from '../presenters/webhook-endpoint.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { serveTenantList, serveTenantObject, tenantObjectOr404, type PathObject } from '../http/tenant-object.ts';
import { assertSavedUrl, callbackUrlPolicy } from '../http/url-validation.ts';
import { parse, parseBody } from '../http/validation.ts';

const DEFAULT_ROTATION_OVERLAP_S = 86_400;
const MAX_ROTATION_OVERLAP_S = 7 * 86_400;

const eventTypes = z
  .array(z.string().refine(isSubscribable, { message: `must be "${WILDCARD}" or one of: ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}` }))
  .min(1)
  .max(50)
  .refine((types) => new Set(types).size === types.length, 'must not repeat a type');

const fields = {
  url: z.string().trim().min(1).max(2048),
  description: z.string().max(500),
  event_types: eventTypes,
  enabled: z.boolean(),
};

export const createWebhookEndpointBody = z.strictObject({
  url: fields.url,
  description: fields.description.default(''),
  event_types: fields.event_types.default([WILDCARD]),
  enabled: fields.enabled.default(true),
});

export const updateWebhookEndpointBody = z.strictObject({
  url: fields.url.optional(),
  description: fields.description.optional(),
  event_types: fields.event_types.optional(),
  enabled: fields.enabled.optional(),
});

export const rotateWebhookSecretBody = z.strictObject({
  /** How long the previous secret keeps signing alongside the new one; 0 retires it at once. */
  overlap_s: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_S).default(DEFAULT_ROTATION_OVERLAP_S),
});

const WEBHOOK_ENDPOINT: PathObject = { kind: 'webhookEndpoint', resource: 'webhook endpoint' };

const deliveriesQuery = paginationQuery('webhookDelivery').extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() });

export function webhookEndpointRoutes({ db, config, secretBox }: ApiDeps): Router {
  const router = Router();
  const urlPolicy = callbackUrlPolicy(config.allowPrivateUrls);

  const checkedUrl = async (url: string): Promise<string> => (await assertSavedUrl(url, urlPolicy, 'url')).toString();

  router.post('/', async (req, res) => {
    const { orgId } = authOf(req);
    const body = parseBody(createWebhookEndpointBody, req);
    const url = await checkedUrl(body.url);
    const { row, secret } = await db.tenant(orgId, (trx) =>
      createWebhookEndpoint(trx, secretBox, { orgId, url, description: body.description, eventTypes: body.event_types, enabled: body.enabled }),
    );
    res.status(201).json({ ...toPublicWebhookEndpoint(row), secret });
  });

  router.get('/', serveTenantList(db, paginationQuery('webhookEndpoint'), listWebhookEndpoints, toPublicWebhookEndpoint));

  router.get('/:id', serveTenantObject(db, WEBHOOK_ENDPOINT, findWebhookEndpoint, toPublicWebhookEndpoint));

  router.patch('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'webhookEndpoint', 'webhook endpoint');
    const body = parseBody(updateWebhookEndpointBody, req);
    const url = body.url === undefined ? undefined : await checkedUrl(body.url);
    const row = await db.tenant(orgId, (trx) =>
      updateWebhookEndpoint(trx, orgId, id, { url, description: body.description, eventTypes: body.event_types, enabled: body.enabled }),
    );
    if (!row) throw notFound('webhook endpoint', id);
    res.json(toPublicWebhookEndpoint(row));
  });

  router.delete('/:id', async (req, res) => {
    const deleted = await tenantObjectOr404(db, req, WEBHOOK_ENDPOINT, deleteWebhookEndpoint);
    res.json({ id: deleted.id, object: 'webhook_endpoint', deleted: true });
  });

  router.post('/:id/rotate-secret', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'webhookEndpoint', 'webhook endpoint');
    const body = parseBody(rotateWebhookSecretBody, req);
    const rotated = await db.tenant(orgId, (trx) => rotateWebhookEndpointSecret(trx, secretBox, orgId, id, body.overlap_s));
    if (!rotated) throw notFound('webhook endpoint', id);
    res.json({ ...toPublicWebhookEndpoint(rotated.row), secret: rotated.secret });
  });

  router.post('/:id/test', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'webhookEndpoint', 'webhook endpoint');
    const { delivery } = await db.tenant(orgId, async (trx) => {
      const endpoint = await findWebhookEndpoint(trx, orgId, id);
      if (!endpoint) throw notFound('webhook endpoint', id);
      if (!endpoint.enabled) throw new PlatformError('conflict', 'endpoint_disabled', 'This webhook endpoint is disabled; enable it to send a test event.');
      return sendTestEvent(trx, endpoint);
    });
    res.status(202).json(toPublicWebhookDelivery(delivery, 'webhook.test'));
  });

  router.get('/:id/deliveries', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'webhookEndpoint', 'webhook endpoint');
    const query = parse(deliveriesQuery, req.query, 'query');
    const { rows, hasMore, types } = await db.tenant(orgId, async (trx) => {
      if (!(await findWebhookEndpoint(trx, orgId, id))) throw notFound('webhook endpoint', id);
      const page = await listEndpointDeliveries(trx, orgId, id, query.status, query);
      return { ...page, types: await eventTypesById(trx, orgId, page.rows.map((row) => row.event_id)) };
    });
    res.json(listResponse(rows.map((row) => toPublicWebhookDelivery(row, types.get(row.event_id))), hasMore));
  });

  return router;
}

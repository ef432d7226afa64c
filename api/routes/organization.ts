import { Router } from 'express';
import { z } from 'zod';
import { formatUsd, isUsdAmount, parseUsd } from '../../core/billing/money.ts';
import { getOrganization, updateOrganization } from '../../core/repositories/organizations.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicOrganization, type OrganizationServerFacts } from '../presenters/organization.ts';
import { authOf } from '../http/request-context.ts';
import { parseBody } from '../http/validation.ts';

export const updateOrganizationBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  settings: z
    .strictObject({
      max_concurrent_sessions: z.number().int().min(1).max(100_000).optional(),
      recording_retention_days: z.number().int().min(1).max(3650).optional(),
      monthly_spend_limit_usd: z.string().refine(isUsdAmount, 'must be a USD amount as a decimal string, such as "250.00"')
        .transform((amount) => formatUsd(parseUsd(amount)))
        .nullable()
        .optional(),
      monthly_minutes_limit: z.number().int().min(1).max(10_000_000).nullable().optional(),
    })
    .optional(),
});

export function organizationRoutes({ db, config }: ApiDeps): Router {
  const router = Router();
  // Clients (the dashboard's test call) offer LiveKit only where the server can create LiveKit sessions.
  const server: OrganizationServerFacts = {
    maxConcurrentSessions: config.defaultMaxConcurrentSessions,
    transports: config.livekit.configured ? ['websocket', 'livekit'] : ['websocket'],
  };

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const row = await db.tenant(orgId, (trx) => getOrganization(trx, orgId));
    res.json(toPublicOrganization(row!, server));
  });

  router.patch('/', async (req, res) => {
    const { orgId } = authOf(req);
    const body = parseBody(updateOrganizationBody, req);
    const row = await db.tenant(orgId, (trx) => updateOrganization(trx, orgId, body));
    res.json(toPublicOrganization(row, server));
  });

  return router;
}

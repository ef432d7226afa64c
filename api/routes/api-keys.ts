import { Router } from 'express';
import { z } from 'zod';
import { isId } from '../../core/ids.ts';
import { createApiKey, revokeApiKey, type ApiKeyRow } from '../../core/repositories/api-keys.ts';
import type { ApiDeps } from '../deps.ts';
import { toPublicApiKey } from '../presenters/api-key.ts';
import { pageQuery, pageResult } from '../../core/db/pagination.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { tenantObjectOr404 } from '../http/tenant-object.ts';
import { parse, parseBody } from '../http/validation.ts';

const origin = z.union([z.literal('*'), z.url().regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://app.example.com')]);

export const createApiKeyBody = z
  .strictObject({
    type: z.enum(['secret', 'public']).default('secret'),
    name: z.string().trim().min(1).max(200).default('API key'),
    allowed_assistant_ids: z.array(z.string().refine((id) => isId('assistant', id), 'must be an assistant id')).min(1).max(100).optional(),
    allowed_origins: z.array(origin).min(1).max(50).optional(),
  })
  .superRefine((body, ctx) => {
    const grants = ['allowed_assistant_ids', 'allowed_origins'] as const;
    for (const grant of grants) {
      if (body.type === 'public' && !body[grant]) ctx.addIssue({ code: 'custom', path: [grant], message: 'is required for public keys' });
      if (body.type === 'secret' && body[grant]) ctx.addIssue({ code: 'custom', path: [grant], message: 'applies to public keys only' });
    }
  });

export function apiKeyRoutes({ db, apiKeyCache }: ApiDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { orgId } = authOf(req);
    const body = parseBody(createApiKeyBody, req);
    const created = await db.tenant(orgId, (trx) =>
      createApiKey(trx, {
        orgId,
        type: body.type,
        name: body.name,
        allowedAssistantIds: body.allowed_assistant_ids ?? null,
        allowedOrigins: body.allowed_origins ?? null,
      }),
    );
    res.status(201).json({ ...toPublicApiKey(created.row), key: created.plaintext });
  });

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const page = parse(paginationQuery('apiKey'), req.query, 'query');
    const rows = await db.tenantRead<ApiKeyRow>(orgId, (q) => pageQuery(q('api_keys').where({ org_id: orgId }), page));
    const { rows: window, hasMore } = pageResult(rows, page);
    res.json(listResponse(window.map(toPublicApiKey), hasMore));
  });

  router.delete('/:id', async (req, res) => {
    const row = await tenantObjectOr404(db, req, { kind: 'apiKey', resource: 'API key' }, revokeApiKey);
    apiKeyCache.forget(row.id);
    res.json(toPublicApiKey(row));
  });

  return router;
}

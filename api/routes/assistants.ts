import { Router } from 'express';
import { toPublicAssistant } from '../../contract/assistant.ts';
import { createAssistantBody, updateAssistantBody } from '../../core/domain/assistant-config.ts';
import { notFound } from '../../core/errors.ts';
import {
  assistantsOf,
  deleteAssistant,
  getAssistant,
  insertAssistant,
  replaceAssistant,
  selectAssistant,
  type AssistantRow,
} from '../../core/repositories/assistants.ts';
import type { ApiDeps } from '../deps.ts';
import { pageQuery, pageResult } from '../../core/db/pagination.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { parse, parseBodyAsync } from '../http/validation.ts';
import { checkedAssistantUpdate } from './assistant-patch.ts';
import { assistantUrlChecks } from './assistant-urls.ts';

export function assistantRoutes({ db, config: platformConfig }: ApiDeps): Router {
  const router = Router();
  const urlChecks = assistantUrlChecks(platformConfig);

  router.post('/', async (req, res) => {
    const { orgId } = authOf(req);
    const config = await parseBodyAsync(createAssistantBody, req);
    await urlChecks.assertPublicUrls(config);
    const row = await db.tenant(orgId, async (trx) => {
      await urlChecks.assertOwnProviderKeys(trx, orgId, config);
      return insertAssistant(trx, orgId, config);
    });
    res.status(201).json(toPublicAssistant(row));
  });

  router.get('/', async (req, res) => {
    const { orgId } = authOf(req);
    const page = parse(paginationQuery('assistant'), req.query, 'query');
    const rows = await db.tenantRead<AssistantRow>(orgId, (q) => pageQuery(assistantsOf(q, orgId), page));
    const { rows: window, hasMore } = pageResult(rows, page);
    res.json(listResponse(window.map(toPublicAssistant), hasMore));
  });

  router.get('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'assistant', 'assistant');
    const [row] = await db.tenantRead<AssistantRow>(orgId, () => selectAssistant(orgId, id));
    if (!row) throw notFound('assistant', id);
    res.json(toPublicAssistant(row));
  });

  router.patch('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'assistant', 'assistant');
    const changes = await parseBodyAsync(updateAssistantBody, req);
    const row = await db.tenant(orgId, async (trx) => {
      const current = await getAssistant(trx, orgId, id);
      if (!current) throw notFound('assistant', id);
      return replaceAssistant(trx, orgId, id, await checkedAssistantUpdate(trx, { orgId, assistant: current, changes, urlChecks }));
    });
    res.json(toPublicAssistant(row!));
  });

  router.delete('/:id', async (req, res) => {
    const { orgId } = authOf(req);
    const id = pathId(req, 'assistant', 'assistant');
    const deleted = await db.tenant(orgId, (trx) => deleteAssistant(trx, orgId, id));
    if (!deleted) throw notFound('assistant', id);
    res.json({ id, object: 'assistant', deleted: true });
  });

  return router;
}

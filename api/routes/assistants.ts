import { Router } from 'express';
import { createAssistantBody, updateAssistantBody, type AssistantConfig } from '../../core/domain/assistant-config.ts';
import { assertPublicUrl, UnsafeUrlError } from '../../core/net/public-url.ts';
import { invalid, notFound } from '../../core/errors.ts';
import {
  assistantConfigOf,
  assistantsOf,
  deleteAssistant,
  getAssistant,
  insertAssistant,
  replaceAssistant,
  selectAssistant,
  toPublicAssistant,
  type AssistantRow,
} from '../../core/repositories/assistants.ts';
import type { ApiDeps } from '../deps.ts';
import { pageQuery, pageResult } from '../../core/db/pagination.ts';
import { listResponse, paginationQuery } from '../http/pagination.ts';
import { authOf } from '../http/request-context.ts';
import { pathId } from '../http/route-helpers.ts';
import { parse, parseAsync, parseBodyAsync } from '../http/validation.ts';

/**
 * The URLs an assistant makes us call (its tools' servers, its webhook override) must be public, like webhook
 * endpoints: checked here with DNS, and again at call time by the guarded client.
 */
async function assertCallableUrls(config: AssistantConfig, allowPrivate: boolean): Promise<void> {
  const urls: [string, string][] = config.tools.flatMap((tool, index) =>
    tool.type === 'function' ? [[`tools.${index}.server.url`, tool.server.url] as [string, string]] : [],
  );
  if (config.server_url) urls.push(['server_url', config.server_url]);
  for (const [param, url] of urls) {
    try {
      await assertPublicUrl(url, { allowPrivate });
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw invalid('invalid_url', `${param}: ${error.message}`, param);
      throw error;
    }
  }
}

export function assistantRoutes({ db, config: platformConfig }: ApiDeps): Router {
  const router = Router();
  const allowPrivate = platformConfig.allowPrivateUrls;

  router.post('/', async (req, res) => {
    const { orgId } = authOf(req);
    const config = await parseBodyAsync(createAssistantBody, req);
    await assertCallableUrls(config, allowPrivate);
    const row = await db.tenant(orgId, (trx) => insertAssistant(trx, orgId, config));
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
      // Validate the merged result as a whole: cross-field rules (endpointing min ≤ max) span old and new values.
      const merged = await parseAsync(createAssistantBody, { ...assistantConfigOf(current), ...changes });
      await assertCallableUrls(merged, allowPrivate);
      return replaceAssistant(trx, orgId, id, merged);
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

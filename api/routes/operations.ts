import { Router } from 'express';
import type { ApiDeps } from '../deps.ts';
import { renderMetrics } from '../http/group-metrics.ts';
import { registry } from '../../core/metrics/registry.ts';

export function operationsRoutes({ db, logger }: Pick<ApiDeps, 'db' | 'logger'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    try {
      await db.ping();
      res.json({ status: 'ready', database: 'ok' });
    } catch (error) {
      logger.warn('readiness check failed', { request_id: req.id, error: String(error) });
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await renderMetrics());
  });
  return router;
}

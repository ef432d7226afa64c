import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** Paths the api owns (and missing hashed assets): the dashboard's client-side routes never start with these. */
const NOT_CLIENT_ROUTES = /^\/(v1|docs|media|openapi\.json|healthz|readyz|metrics|dashboard\/session|assets)(\/|$)/;

/**
 * The built dashboard (`dashboard/dist`): hashed assets cached for a year, `index.html` never cached, and every other
 * GET that asks for HTML answered with `index.html` so client routes like `/sessions/sess_…` survive a reload.
 */
export function dashboardStaticRoutes(distDir: string): Router {
  const router = Router();
  const indexFile = path.join(distDir, 'index.html');
  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  router.use(express.static(distDir, { index: false, maxAge: 0 }));
  router.get(/.*/, (req, res, next) => {
    if (NOT_CLIENT_ROUTES.test(req.path) || !req.accepts('html')) return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('text').send('The dashboard is not built: run `npm run build`.');
      return;
    }
    res.set('cache-control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}

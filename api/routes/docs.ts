import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Router } from 'express';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const specPath = new URL('../../openapi/openapi.yaml', import.meta.url);

/** The contract as JSON, and a Redoc page rendering it from a bundle served locally (no CDN). */
export function docsRoutes(): Router {
  const router = Router();
  let specJson: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    specJson ??= JSON.stringify(parse(readFileSync(specPath, 'utf8')));
    res.type('application/json').send(specJson);
  });
  router.get('/docs/redoc.standalone.js', (_req, res) => {
    res.sendFile(require.resolve('redoc/bundles/redoc.standalone.js'));
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EchoSphere API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/docs/redoc.standalone.js"></script></body></html>`);
  });
  return router;
}

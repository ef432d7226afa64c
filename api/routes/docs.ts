import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Router } from 'express';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const specPath = new URL('../../openapi/openapi.yaml', import.meta.url);

/** Redoc's sidebar credit loads its logo from Redocly's CDN; the page must work offline and call nobody. */
const REDOC_CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const BLANK_IMAGE = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E';

function offlineRedocBundle(): string {
  const bundle = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
  if (!bundle.includes(REDOC_CDN_LOGO)) throw new Error(`redoc's bundle no longer names ${REDOC_CDN_LOGO}: check it for other remote assets`);
  return bundle.replaceAll(REDOC_CDN_LOGO, BLANK_IMAGE);
}

/** The contract as JSON, and a Redoc page rendering it from a bundle served locally (no CDN, no remote asset). */
export function docsRoutes(): Router {
  const router = Router();
  let specJson: string | undefined;
  let redocBundle: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    specJson ??= JSON.stringify(parse(readFileSync(specPath, 'utf8')));
    res.type('application/json').send(specJson);
  });
  router.get('/docs/redoc.standalone.js', (_req, res) => {
    redocBundle ??= offlineRedocBundle();
    res.type('text/javascript').send(redocBundle);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EchoSphere API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/docs/redoc.standalone.js"></script></body></html>`);
  });
  return router;
}

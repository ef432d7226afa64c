import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.ts';
import { contract } from '../support/contract.ts';

/**
 * Every route the Express app serves is an operation in openapi.yaml, and every operation has a route: the two lists
 * are read from the app's router and from the spec, so a route added without documenting it fails here.
 */

// Served by the app but deliberately not API operations.
const UNDOCUMENTED = new Set([
  'GET /docs/redoc.standalone.js', // the script the /docs page loads
  'GET /media/*', // signed media URLs; customers get them from GET /v1/sessions/{id}/recording, never build them
]);

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
  rawPath?: unknown;
  slash?: boolean;
}

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(() => api?.close());

function appRoutes(stack: RouterLayer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      // A router mounted on '/assistants' serves the collection itself as '/'.
      const own = layer.route.path === '/' && prefix ? '' : layer.route.path;
      const path = prefix + own.replace(/:(\w+)/g, '{}').replace(/\*\w+/, '*');
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
    }
    if (!layer.handle?.stack) return [];
    // A mounted router: `app.use('/v1', router)` keeps '/v1' as the layer's path; `app.use(router)` mounts at '/'.
    const mount = layer.slash || typeof layer.rawPath !== 'string' ? '' : layer.rawPath;
    return appRoutes(layer.handle.stack, prefix + mount);
  });
}

test('the app and the contract list the same routes', () => {
  const app = api.server.listeners('request')[0] as unknown as { router: { stack: RouterLayer[] } };
  const served = new Set(appRoutes(app.router.stack).filter((route) => !UNDOCUMENTED.has(route)));
  const documented = new Set(contract().operations.map((op) => `${op.method} ${op.template.replace(/\{\w+\}/g, '{}')}`));
  const undocumented = [...served].filter((route) => !documented.has(route)).sort();
  const unserved = [...documented].filter((route) => !served.has(route)).sort();
  assert.deepEqual(undocumented, [], `served but not in openapi.yaml: ${undocumented.join(', ')}`);
  assert.deepEqual(unserved, [], `in openapi.yaml but not served: ${unserved.join(', ')}`);
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApiKeyCache } from '../auth/api-key-cache.ts';
import { createApiApp } from '../server.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { apiClient } from '../../test/support/client.ts';
import { waitFor } from '../../test/support/wait-for.ts';

const LIMIT = 6;

let api: TestApi;
let second: http.Server;
let secondUrl: string;

before(async () => {
  // Windows are aligned to the clock: an hour-long one does not end in the middle of a test.
  api = await startTestApi({
    env: { ECHOSPHERE_RATE_LIMIT_REQUESTS: String(LIMIT), ECHOSPHERE_RATE_LIMIT_WINDOW_S: '3600', ECHOSPHERE_RATE_LIMIT_SYNC_MS: '10' },
  });
  // A second api instance on the same database, as another process or machine would be: its own counters and cache.
  second = http.createServer(createApiApp({ ...api.deps, apiKeyCache: new ApiKeyCache(0) }));
  await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
  secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
});
after(async () => {
  second.closeAllConnections();
  await new Promise((resolve) => second.close(resolve));
  await api.close();
});

/** The id of a new organization's only key. */
async function keyIdOf(orgId: string): Promise<string> {
  return (await api.db.system((trx) => trx('api_keys').where({ org_id: orgId }).first('id'))).id;
}

/** The hits of `keyId`'s current window as every instance has synced them. */
async function syncedHits(keyId: string): Promise<number> {
  const rows = await api.db.knex('rate_limit_windows').where({ bucket: `key:${keyId}` }).sum({ hits: 'hits' });
  return Number(rows[0]?.hits ?? 0);
}

test('two instances on one database enforce one limit per key', async () => {
  const { orgId, secretKey } = await api.createOrganization();
  const keyId = await keyIdOf(orgId);
  const instances = [apiClient(api.baseUrl, secretKey), apiClient(secondUrl, secretKey)];

  // Requests alternate between the instances. Each waits for the previous one's count to reach the database, as it
  // does when requests are further apart than the sync interval; alone, each instance would admit LIMIT requests.
  const statuses: number[] = [];
  for (let i = 0; i < LIMIT * 4; i++) {
    const response = await instances[i % 2]!('GET', '/v1/organization');
    statuses.push(response.status);
    if (response.status === 429) assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
    await waitFor(async () => (await syncedHits(keyId)) === i + 1, `request ${i + 1} synced`);
  }
  const admitted = statuses.filter((status) => status === 200).length;
  // An instance learns the other's hits when it syncs one of its own, so each decision can miss the other
  // instance's last request: at most one over the limit, never the LIMIT more that per-process counting allows.
  assert.ok(admitted >= LIMIT && admitted <= LIMIT + 1, `admitted ${admitted} of ${statuses.length}: ${statuses.join(' ')}`);
  assert.deepEqual(statuses.slice(LIMIT + 1), statuses.slice(LIMIT + 1).map(() => 429), 'once spent, refused everywhere');
});

test('a window that other instances used up is refused here at the first sync', async () => {
  const { orgId, secretKey } = await api.createOrganization('Burst');
  const keyId = await keyIdOf(orgId);
  const first = apiClient(api.baseUrl, secretKey);
  const other = apiClient(secondUrl, secretKey);
  for (let i = 0; i < LIMIT; i++) assert.equal((await first('GET', '/v1/organization')).status, 200);
  await waitFor(async () => (await syncedHits(keyId)) === LIMIT, 'the first instance synced');
  // The other instance has not seen this key: its first request is decided alone, and its sync brings the total.
  assert.equal((await other('GET', '/v1/organization')).status, 200);
  await waitFor(async () => (await syncedHits(keyId)) === LIMIT + 1, 'the other instance synced');
  const refused = await other('GET', '/v1/organization');
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get('ratelimit') ?? '', /r=0/);
});

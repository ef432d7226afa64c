import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateApiKey } from '../../core/crypto/tokens.ts';
import type { Transaction } from '../../core/db/database.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { assertMatchesContract } from '../../test/support/contract.ts';
import { waitFor } from '../../test/support/wait-for.ts';

const BUDGET = 5;

let api: TestApi;
let secretKey: string;

before(async () => {
  // Behind a trusted proxy on loopback, X-Forwarded-For names the client: each test plays its own addresses.
  api = await startTestApi({
    env: { ECHOSPHERE_AUTH_FAILURE_LIMIT: String(BUDGET), ECHOSPHERE_AUTH_FAILURE_WINDOW_S: '60', ECHOSPHERE_TRUST_PROXY: 'loopback' },
  });
  ({ secretKey } = await api.createOrganization());
});
after(() => api.close());

const unknownKey = () => generateApiKey('secret').plaintext;

async function get(address: string, authorization: string | undefined) {
  const response = await fetch(`${api.baseUrl}/v1/organization`, {
    headers: { 'x-forwarded-for': address, ...(authorization ? { authorization } : {}) },
  });
  const body = await response.json();
  assertMatchesContract('GET', '/v1/organization', response.status, body, response.headers);
  return { status: response.status, headers: response.headers, body };
}

function assertThrottled(response: Awaited<ReturnType<typeof get>>): void {
  assert.equal(response.status, 429);
  assert.equal(response.body.error.type, 'rate_limited');
  assert.equal(response.body.error.code, 'too_many_failed_authentications');
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${response.headers.get('retry-after')}`);
}

test('a flood of unknown keys from one address: the budget gets 401, every other request 429 before any lookup', async () => {
  const address = '198.51.100.1';
  // Key lookups are held until the throttled requests are answered: the budget must hold for requests racing each
  // other to the lookup, and a throttled request must not wait for (or cause) one.
  let lookups = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const system = api.db.system;
  const lookup = system.bind(api.db);
  api.db.system = async <T>(work: (trx: Transaction) => Promise<T>): Promise<T> => {
    lookups++;
    await held;
    return lookup(work);
  };
  try {
    let answered = 0;
    const pending = Array.from({ length: 200 }, () => get(address, `Bearer ${unknownKey()}`).finally(() => answered++));
    await waitFor(() => answered === 200 - BUDGET, 'the throttled requests answered while the lookups are held');
    release();
    const statuses = (await Promise.all(pending)).map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 401).length, BUDGET);
    assert.equal(statuses.filter((status) => status === 429).length, 200 - BUDGET);
    assert.equal(lookups, BUDGET, 'only the budget reached the database');
  } finally {
    api.db.system = system;
    release();
  }
  assertThrottled(await get(address, `Bearer ${unknownKey()}`));

  // The address is spent for this window, whatever it sends next, a valid key included.
  assertThrottled(await get(address, `Bearer ${secretKey}`));
  // Other addresses are untouched.
  assert.equal((await get('198.51.100.2', `Bearer ${secretKey}`)).status, 200);
  assert.equal((await get('198.51.100.3', `Bearer ${unknownKey()}`)).status, 401);
});

test('missing and malformed keys spend the budget too', async () => {
  const address = '198.51.100.10';
  const attempts = [undefined, 'Basic dXNlcjpwYXNz', 'Bearer sk_short', undefined, 'Bearer not-a-key'];
  for (const authorization of attempts) assert.equal((await get(address, authorization)).status, 401);
  assertThrottled(await get(address, undefined));
});

test('one key tried from many addresses: the key is throttled, and a valid key is never charged', async () => {
  const tried = `Bearer ${unknownKey()}`;
  for (let i = 0; i < BUDGET; i++) assert.equal((await get(`203.0.113.${i}`, tried)).status, 401);
  assertThrottled(await get('203.0.113.200', tried));
  assert.equal((await get('203.0.113.201', `Bearer ${unknownKey()}`)).status, 401, 'another key from a fresh address is only refused');

  // A valid key's first lookup is counted while it runs and taken back when the key turns out valid.
  for (let i = 0; i < BUDGET * 3; i++) assert.equal((await get('203.0.113.250', `Bearer ${secretKey}`)).status, 200);
  for (let i = 0; i < BUDGET; i++) assert.equal((await get('203.0.113.250', `Bearer ${unknownKey()}`)).status, 401);
  assertThrottled(await get('203.0.113.250', `Bearer ${unknownKey()}`));
});

test('IPv6 clients count by their /56', async () => {
  for (let i = 0; i < BUDGET; i++) assert.equal((await get(`2001:db8:0:${i}::1`, `Bearer ${unknownKey()}`)).status, 401);
  assertThrottled(await get('2001:db8:0:ff::9', `Bearer ${unknownKey()}`));
  assert.equal((await get('2001:db8:0:100::1', `Bearer ${unknownKey()}`)).status, 401, 'the next /56 has its own budget');
});

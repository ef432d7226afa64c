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
    env: { ECHOSPHERE_AUTH_FAILURE_LIMIT: String(BUDGET), ECHOSPHERE_AUTH_FAILURE_WINDOW_S: '3600', ECHOSPHERE_TRUST_PROXY: 'loopback' },
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
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${response.headers.get('retry-after')}`);
}

/**
 * Holds every database unit of work (key lookups) until `release`, counting them: requests then race each other to the
 * lookup, as they do when the database is slow.
 */
function holdLookups() {
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  const system = api.db.system;
  const run = system.bind(api.db);
  const state = {
    lookups: 0,
    release() {
      api.db.system = system;
      open();
    },
  };
  api.db.system = async <T>(work: (trx: Transaction) => Promise<T>): Promise<T> => {
    state.lookups++;
    await held;
    return run(work);
  };
  return state;
}

/** Requests the api has received, answered or not. */
function arrivals() {
  const counter = { count: 0, stop: () => api.server.off('request', count) };
  const count = () => counter.count++;
  api.server.on('request', count);
  return counter;
}

test('a flood of unknown keys from one address: the budget gets 401, every other request 429 before any lookup', async () => {
  const address = '198.51.100.1';
  const hold = holdLookups();
  try {
    let answered = 0;
    const pending = Array.from({ length: 200 }, () => get(address, `Bearer ${unknownKey()}`).finally(() => answered++));
    await waitFor(() => answered === 200 - BUDGET, 'the throttled requests answered while the lookups are held');
    hold.release();
    const statuses = (await Promise.all(pending)).map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 401).length, BUDGET);
    assert.equal(statuses.filter((status) => status === 429).length, 200 - BUDGET);
    assert.equal(hold.lookups, BUDGET, 'only the budget reached the database');
  } finally {
    hold.release();
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

test('many requests at once with a valid key the process has not looked up yet share one lookup and spend nothing', async () => {
  const { secretKey: fresh } = await api.createOrganization('Busy');
  const hold = holdLookups();
  const arrived = arrivals();
  try {
    const pending = Array.from({ length: BUDGET * 6 }, () => get('198.51.100.77', `Bearer ${fresh}`));
    await waitFor(() => arrived.count === BUDGET * 6, 'every request arrived while the lookup is held');
    assert.equal(hold.lookups, 1);
    hold.release();
    const statuses = (await Promise.all(pending)).map((response) => response.status);
    assert.deepEqual(statuses, statuses.map(() => 200));
  } finally {
    hold.release();
    arrived.stop();
  }
  for (let i = 0; i < BUDGET; i++) assert.equal((await get('198.51.100.77', `Bearer ${unknownKey()}`)).status, 401);
});

test('IPv6 clients count by their /56', async () => {
  for (let i = 0; i < BUDGET; i++) assert.equal((await get(`2001:db8:0:${i}::1`, `Bearer ${unknownKey()}`)).status, 401);
  assertThrottled(await get('2001:db8:0:ff::9', `Bearer ${unknownKey()}`));
  assert.equal((await get('2001:db8:0:100::1', `Bearer ${unknownKey()}`)).status, 401, 'the next /56 has its own budget');
});

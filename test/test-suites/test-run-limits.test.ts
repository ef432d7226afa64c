import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { countUnfinishedTestRunsLocked, finishTestRun, insertTestRun, takeTestRunLease } from '../../core/repositories/test-runs.ts';
import { updateTestSuite } from '../../core/repositories/test-suites.ts';
import { withScenarioIds } from '../../core/test-suites/scenario-config.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

/**
 * An organization's queued and running test runs are capped (ECHOSPHERE_MAX_UNFINISHED_TEST_RUNS, 2 here; no worker
 * runs, so runs stay queued), and the regex patterns of a suite's match criteria share one compiling budget.
 */

const LIMIT = 2;

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let orgId: string;
let assistantId: string;

const scenario = (criteria: unknown[] = []) => ({ name: 'Greets', caller: { turns: ['Hello'] }, criteria });
/** A pattern the per-pattern limit accepts, costing about 900 of the suite's 10,000 instructions. */
const costly = (name: string) => ({ kind: 'match', name, mode: 'regex', pattern: '\\b[a-z]{1,450}\\b' });

before(async () => {
  api = await startTestApi({ env: { ECHOSPHERE_MAX_UNFINISHED_TEST_RUNS: String(LIMIT) } });
  const org = await api.createOrganization('Limits');
  orgId = org.orgId;
  call = apiClient(api.baseUrl, org.secretKey);
  assistantId = (await call('POST', '/v1/assistants', { name: 'Host' })).body.id;
});
after(() => api.close());

async function newSuite(client = call) {
  const suite = await client('POST', '/v1/test-suites', { name: 'Suite', scenarios: [scenario()] });
  assert.equal(suite.status, 201, JSON.stringify(suite.body));
  return suite.body.id as string;
}

/** Finishes a run, as a worker would. */
async function finish(id: string) {
  await api.db.tenant(orgId, async (trx) => {
    await takeTestRunLease(trx, orgId, id, 'worker', 60);
    await finishTestRun(trx, orgId, id, 'worker', 'completed', []);
  });
}

async function finishAll() {
  const unfinished: Array<{ id: string }> = await api.db.tenant(orgId, (trx) => trx('test_runs').where({ org_id: orgId }).whereIn('status', ['queued', 'running']).select('id'));
  for (const { id } of unfinished) await finish(id);
}

test('one run past the limit of queued or running runs is a 409, until one of them finishes', async () => {
  const suiteId = await newSuite();
  for (let index = 0; index < LIMIT; index++) assert.equal((await call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId })).status, 202);
  const refused = await call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'test_run_limit_reached');
  assert.match(refused.body.error.message, /already has 2 test runs queued or running/);

  // Another organization has a limit of its own.
  const other = apiClient(api.baseUrl, (await api.createOrganization('Other')).secretKey);
  const otherAssistant = (await other('POST', '/v1/assistants', { name: 'Theirs' })).body.id;
  assert.equal((await other('POST', `/v1/test-suites/${await newSuite(other)}/runs`, { assistant_id: otherAssistant })).status, 202);

  const [oldest] = (await call('GET', `/v1/test-runs?suite_id=${suiteId}`)).body.data.slice(-1);
  await finish(oldest.id);
  assert.equal((await call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId })).status, 202);
  await finishAll();
});

test('requests racing at the limit cannot all pass: exactly the free places are taken', async () => {
  const suiteId = await newSuite();
  assert.equal((await call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId })).status, 202);
  const responses = await Promise.all(Array.from({ length: 6 }, () => call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId })));
  const statuses = responses.map((response) => response.status).sort();
  assert.deepEqual(statuses, [202, 409, 409, 409, 409, 409]);
  const unfinished = await api.db.tenant(orgId, (trx) => trx('test_runs').where({ org_id: orgId }).whereIn('status', ['queued', 'running']).count('* as count').first());
  assert.equal(Number(unfinished?.count), LIMIT);
  await finishAll();
});

test('a request counting the runs waits until one that counted before it has committed its run', async () => {
  const suiteId = await newSuite();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let inserted!: () => void;
  const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
  const first = api.db.tenant(orgId, async (trx) => {
    const count = await countUnfinishedTestRunsLocked(trx, orgId);
    await insertTestRun(trx, { orgId, suiteId, assistantId, assistantPatch: null, scenarios: [], concurrency: 1 });
    inserted();
    await released;
    return count;
  });
  await firstInserted;
  const second = api.db.tenant(orgId, (trx) => countUnfinishedTestRunsLocked(trx, orgId));
  // Time for a count that does not wait to come back with the uncommitted run missing.
  await sleep(300);
  release();
  assert.equal(await second, (await first) + 1);
  await finishAll();
});

test("a suite's regex patterns share one budget: the pattern that exceeds it is named, the ones after it are not judged", async () => {
  const criteria = Array.from({ length: 6 }, (_, index) => costly(`Pattern ${index}`));
  // Twelve patterns of about 900: the twelfth, scenario 1's sixth, goes over 10,000. A pattern that cannot run is named too.
  const backreference = { kind: 'match', name: 'Backreference', mode: 'regex', pattern: '(a)\\1' };
  const created = await call('POST', '/v1/test-suites', {
    name: 'Heavy',
    scenarios: [scenario([...criteria, backreference]), scenario([...criteria, costly('Over'), costly('Past')]), scenario([costly('Later')])],
  });
  assert.equal(created.status, 400);
  const problems = created.body.error.errors as Array<{ param: string; message: string }>;
  assert.deepEqual(
    problems.map((problem) => problem.param),
    ['scenarios.0.criteria.6.pattern', 'scenarios.1.criteria.5.pattern'],
  );
  assert.match(problems[0]!.message, /backreference/);
  assert.match(problems[1]!.message, /^scenarios\.1\.criteria\.5\.pattern: makes the suite's regex patterns cost more than 10,000 regex instructions in all/);

  // Eleven fit; contains criteria cost nothing.
  const fits = await call('POST', '/v1/test-suites', {
    name: 'Fits',
    scenarios: [scenario(criteria), scenario([...criteria.slice(0, 5), { kind: 'match', name: 'Plain', mode: 'contains', pattern: '\\b[a-z]{1,450}\\b' }])],
  });
  assert.equal(fits.status, 201, JSON.stringify(fits.body));
  const patched = await call('PATCH', `/v1/test-suites/${fits.body.id}`, { scenarios: [...fits.body.scenarios, scenario([costly('One more')])] });
  assert.equal(patched.status, 400);
  assert.equal(patched.body.error.param, 'scenarios.2.criteria.0.pattern');
});

test("a run's scenarios are held to the same budget, naming the pattern that exceeds it", async () => {
  const suiteId = await newSuite();
  // Stored without the api's check, as a suite saved before the budget applied.
  const over = withScenarioIds([scenario(Array.from({ length: 12 }, (_, index) => costly(`Pattern ${index}`)))] as never);
  await api.db.tenant(orgId, (trx) => updateTestSuite(trx, orgId, suiteId, { scenarios: over }));
  const refused = await call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.param, 'scenarios.0.criteria.11.pattern');
  assert.match(refused.body.error.message, /cost more than 10,000 regex instructions in all/);
});

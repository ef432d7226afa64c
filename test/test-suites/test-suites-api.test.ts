import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';

let api: TestApi;
let call: ReturnType<typeof apiClient>;
let other: ReturnType<typeof apiClient>;
let assistantId: string;

const scripted = {
  name: 'Books a table',
  caller: { turns: ['I want a table for four', 'Friday please'] },
  criteria: [{ kind: 'match', name: 'Confirms', mode: 'contains', pattern: 'booked' }],
};
const persona = { name: 'Angry caller', caller: { persona: 'An impatient customer', goal: 'Cancel the order' }, input: 'speech' };

before(async () => {
  api = await startTestApi();
  call = apiClient(api.baseUrl, (await api.createOrganization('Acme')).secretKey);
  other = apiClient(api.baseUrl, (await api.createOrganization('Other')).secretKey);
  assistantId = (await call('POST', '/v1/assistants', { name: 'Host' })).body.id;
});
after(() => api.close());

test('a suite is created with defaults filled in, read, listed and deleted', async () => {
  const created = await call('POST', '/v1/test-suites', { name: 'Bookings', scenarios: [scripted, persona] });
  assert.equal(created.status, 201);
  assert.match(created.body.id, /^tsuite_/);
  assert.equal(created.body.description, null);
  const [first, second] = created.body.scenarios;
  assert.match(first.id, /^scen_/);
  assert.deepEqual(first.caller, { turns: ['I want a table for four', 'Friday please'] });
  assert.equal(first.input, 'text');
  assert.equal(first.timeout_s, 120);
  assert.equal(first.source_session_id, null);
  assert.deepEqual(first.criteria, [{ kind: 'match', name: 'Confirms', role: 'assistant', mode: 'contains', pattern: 'booked' }]);
  assert.deepEqual(second.caller, { persona: 'An impatient customer', goal: 'Cancel the order', max_turns: 10 });
  assert.equal(second.input, 'speech');

  const read = await call('GET', `/v1/test-suites/${created.body.id}`);
  assert.deepEqual(read.body, created.body);
  const listed = await call('GET', '/v1/test-suites');
  assert.ok(listed.body.data.some((suite: { id: string }) => suite.id === created.body.id));

  const deleted = await call('DELETE', `/v1/test-suites/${created.body.id}`);
  assert.equal(deleted.status, 204);
  assert.equal((await call('GET', `/v1/test-suites/${created.body.id}`)).status, 404);
  assert.equal((await call('DELETE', `/v1/test-suites/${created.body.id}`)).status, 404);
});

test('PATCH replaces the scenarios, keeping the ids it is given', async () => {
  const created = await call('POST', '/v1/test-suites', { name: 'Edits', scenarios: [scripted, persona] });
  const kept = created.body.scenarios[1];
  const patched = await call('PATCH', `/v1/test-suites/${created.body.id}`, {
    description: 'Regression calls',
    scenarios: [{ ...persona, id: kept.id, name: 'Renamed' }, { name: 'New', caller: { turns: ['Hi'] } }],
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.name, 'Edits');
  assert.equal(patched.body.description, 'Regression calls');
  assert.equal(patched.body.scenarios.length, 2);
  assert.equal(patched.body.scenarios[0].id, kept.id);
  assert.equal(patched.body.scenarios[0].name, 'Renamed');
  assert.notEqual(patched.body.scenarios[1].id, created.body.scenarios[0].id);
  assert.equal((await call('PATCH', `/v1/test-suites/${created.body.id}`, { name: 'Renamed suite' })).body.scenarios.length, 2);
});

test('every problem in a suite is reported at once, each naming its field', async () => {
  const response = await call('POST', '/v1/test-suites', {
    name: '',
    scenarios: [
      { name: 'Both kinds', caller: { turns: ['Hi'], persona: 'x', goal: 'y' } },
      { name: 'No goal', caller: { persona: 'Someone' }, input: 'video', timeout_s: 1 },
      { name: 'Bad criterion', caller: { turns: [] }, criteria: [{ kind: 'metric', name: 'Fast', metric: 'latency_p95_ms', operator: 'eq', threshold: 'fast' }] },
    ],
    extra: true,
  });
  assert.equal(response.status, 400);
  const params = (response.body.error.errors as Array<{ param: string }>).map((problem) => problem.param).sort();
  assert.deepEqual(params, [
    'extra',
    'name',
    'scenarios.0.caller',
    'scenarios.1.caller.goal',
    'scenarios.1.input',
    'scenarios.1.timeout_s',
    'scenarios.2.caller.turns',
    'scenarios.2.criteria.0.threshold',
  ]);
});

test('scenario ids must be scenario ids and unique', async () => {
  const id = 'scen_01JD8X4P7Q2M5N8R3T6V9W1Y4Z';
  const repeated = await call('POST', '/v1/test-suites', { name: 'Twins', scenarios: [{ ...scripted, id }, { ...scripted, id }] });
  assert.equal(repeated.status, 400);
  assert.equal(repeated.body.error.param, 'scenarios');
  const wrongKind = await call('POST', '/v1/test-suites', { name: 'Odd', scenarios: [{ ...scripted, id: 'sess_01JD8X4P7Q2M5N8R3T6V9W1Y4Z' }] });
  assert.equal(wrongKind.body.error.param, 'scenarios.0.id');
});

test("another organization's suites and runs are 404, and lists hold only one's own", async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Private', scenarios: [scripted] })).body;
  const run = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId });
  assert.equal(run.status, 202);
  assert.equal((await other('GET', `/v1/test-suites/${suite.id}`)).status, 404);
  assert.equal((await other('PATCH', `/v1/test-suites/${suite.id}`, { name: 'Mine' })).status, 404);
  assert.equal((await other('DELETE', `/v1/test-suites/${suite.id}`)).status, 404);
  assert.equal((await other('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId })).status, 404);
  assert.equal((await other('GET', `/v1/test-runs/${run.body.id}`)).status, 404);
  assert.deepEqual((await other('GET', '/v1/test-suites')).body.data, []);
  assert.deepEqual((await other('GET', '/v1/test-runs')).body.data, []);
  // Their own suite, our assistant: the assistant is not theirs.
  const theirs = (await other('POST', '/v1/test-suites', { name: 'Theirs', scenarios: [scripted] })).body;
  const foreignAssistant = await other('POST', `/v1/test-suites/${theirs.id}/runs`, { assistant_id: assistantId });
  assert.equal(foreignAssistant.status, 404);
  assert.equal(foreignAssistant.body.error.param, 'assistant_id');
});

test('a run is queued with a result per scenario, and listed by suite and assistant, newest first', async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Queued', scenarios: [scripted, persona] })).body;
  const first = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId, concurrency: 4 });
  assert.equal(first.status, 202);
  assert.equal(first.body.status, 'queued');
  assert.equal(first.body.assistant_patch, null);
  assert.deepEqual(first.body.summary, { total: 2, passed: 0, failed: 0, errored: 0, duration_ms: null });
  assert.deepEqual(
    first.body.results.map((result: { scenario_id: string; status: string }) => [result.scenario_id, result.status]),
    suite.scenarios.map((scenario: { id: string }) => [scenario.id, 'pending']),
  );
  const second = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId, assistant_patch: { first_message: 'Hello!' } });
  assert.deepEqual(second.body.assistant_patch, { first_message: 'Hello!' });
  const bySuite = await call('GET', `/v1/test-runs?suite_id=${suite.id}`);
  assert.deepEqual(bySuite.body.data.map((run: { id: string }) => run.id), [second.body.id, first.body.id]);
  const page = await call('GET', `/v1/test-runs?assistant_id=${assistantId}&limit=1`);
  assert.equal(page.body.data.length, 1);
  assert.equal(page.body.has_more, true);
  const next = await call('GET', `/v1/test-runs?assistant_id=${assistantId}&limit=1&starting_after=${page.body.data[0].id}`);
  assert.notEqual(next.body.data[0].id, page.body.data[0].id);
  assert.equal((await call('GET', `/v1/test-runs/${first.body.id}`)).body.id, first.body.id);
  assert.equal((await call('GET', '/v1/test-runs?suite_id=nope')).status, 400);
});

test('a run checks its assistant patch as an assistant update, naming fields under assistant_patch', async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Patched', scenarios: [scripted] })).body;
  const bad = await call('POST', `/v1/test-suites/${suite.id}/runs`, {
    assistant_id: assistantId,
    assistant_patch: { name: '', nonsense: 1 },
    concurrency: 9,
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.errors.map((problem: { param: string }) => problem.param), ['concurrency']);
  const badPatch = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId, assistant_patch: { name: '', nonsense: 1 } });
  assert.equal(badPatch.status, 400);
  assert.deepEqual(badPatch.body.error.errors.map((problem: { param: string }) => problem.param).sort(), ['assistant_patch.name', 'assistant_patch.nonsense']);
  // Valid alone, invalid once merged: a model provider that needs a prompt the assistant does not have.
  const merged = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId, assistant_patch: { model: { provider: 'openai', model: 'gpt-4o-mini' } } });
  assert.equal(merged.status, 400);
  assert.equal(merged.body.error.param, 'assistant_patch.system_prompt');
});

test('an empty suite cannot be run', async () => {
  const suite = (await call('POST', '/v1/test-suites', { name: 'Empty' })).body;
  const response = await call('POST', `/v1/test-suites/${suite.id}/runs`, { assistant_id: assistantId });
  assert.equal(response.status, 409);
  assert.equal(response.body.error.code, 'test_suite_empty');
});

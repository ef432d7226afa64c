import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { abandonedTestRuns, type TestRunRow } from '../../core/repositories/test-runs.ts';
import { PERSONA_TURN_NAME } from '../../workers/test-runs/persona-caller.ts';
import { runTestRun } from '../../workers/test-runs/run-test-run.ts';
import type { LeaseTiming } from '../../workers/test-runs/test-run-lease.ts';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake.ts';
import { waitFor } from '../support/wait-for.ts';
import { judgeAndPersona } from './booking-suite.ts';
import { startSuitesApi, testRunDeps } from './support.ts';

/**
 * A run is held by the runner playing it with a lease. Runners here are runTestRun calls in this process, as the
 * workers role makes them; the persona scenario's first caller turn can be held at the OpenAI fake, so a runner is
 * caught in the middle of a run. A runner that died is one whose lease is left to run out.
 */

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let openai: OpenAiFake;
let suiteId: string;
let assistantId: string;

interface Gate {
  reached: Promise<void>;
  open: () => void;
}
let nextPersonaTurn: { reached: () => void; opened: Promise<void> } | undefined;

/** Holds the next persona turn asked of the OpenAI fake until `open` is called; `reached` once it is asked. */
function holdNextPersonaTurn(): Gate {
  let reached!: () => void;
  let open!: () => void;
  const gate = { reached: new Promise<void>((resolve) => (reached = resolve)), open: () => open() };
  nextPersonaTurn = { reached, opened: new Promise<void>((resolve) => (open = resolve)) };
  return gate;
}

before(async () => {
  suites = await startSuitesApi('Lease', { openai: 'sk-test-key' }, {}, { worker: false });
  const answer = judgeAndPersona();
  openai = await startOpenAiFake(() => ({ text: 'unused' }), {
    apiKey: 'sk-test-key',
    structured: async (body) => {
      const held = body.response_format.json_schema.name === PERSONA_TURN_NAME ? nextPersonaTurn : undefined;
      if (held) {
        nextPersonaTurn = undefined;
        held.reached();
        await held.opened;
      }
      return answer(body);
    },
  });
  const assistant = await suites.call('POST', '/v1/assistants', {
    name: 'Bookings',
    first_message: 'Hello, how can I help?',
    model: { provider: 'scripted', script: { rules: [{ pattern: 'table|book', reply: 'Booked: a table for four on Friday.' }], default_reply: 'Goodbye!' } },
    analysis: { judge: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl } },
  });
  assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
  assistantId = assistant.body.id;
  const suite = await suites.call('POST', '/v1/test-suites', {
    name: 'Three calls',
    scenarios: [
      { name: 'First', caller: { turns: ['I would like to book a table'] } },
      { name: 'Persona', caller: { persona: 'A hungry regular', goal: 'Book a table for Friday', max_turns: 3 } },
      { name: 'Last', caller: { turns: ['Book a table please'] } },
    ],
  });
  assert.equal(suite.status, 201, JSON.stringify(suite.body));
  suiteId = suite.body.id;
});
after(async () => {
  await suites?.close();
  await openai?.close();
});

/** A runner's work on a run: what a delivery of its job does in a workers process. */
function runner(testRunId: string, lease?: LeaseTiming) {
  return runTestRun({ ...testRunDeps(suites.api), ...(lease ? { lease } : {}) }, suites.orgId, testRunId);
}

async function queueRun(): Promise<string> {
  const queued = await suites.call('POST', `/v1/test-suites/${suiteId}/runs`, { assistant_id: assistantId, concurrency: 1 });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  return queued.body.id;
}

function readRun(id: string): Promise<TestRunRow> {
  return suites.api.db.system(async (trx) => (await trx<TestRunRow>('test_runs').where({ id }).first())!);
}

/** The scenario each of the run's sessions played, in the order they were created. */
async function sessionScenarios(testRunId: string): Promise<string[]> {
  const rows: Array<{ scenario_id: string }> = await suites.api.db.system((trx) =>
    trx('sessions').whereRaw(`metadata->>'test_run_id' = ?`, [testRunId]).orderBy('created_at').select(trx.raw(`metadata->>'scenario_id' as scenario_id`)),
  );
  return rows.map((row) => row.scenario_id);
}

async function completedEvents(testRunId: string): Promise<number> {
  const rows = await suites.api.db.system((trx) => trx('events').where({ type: 'test_run.completed' }).whereRaw(`data->'test_run'->>'id' = ?`, [testRunId]));
  return rows.length;
}

/** Runs the sweep's query with "never taken" meaning any age, so only the leases decide. */
async function sweptIds(): Promise<string[]> {
  return (await suites.api.db.system((trx) => abandonedTestRuns(trx, 0, 100))).map((row) => row.id);
}

test('a run whose runner died is taken over once its lease has run out, and only its unfinished scenarios are played', async () => {
  const runId = await queueRun();
  const gate = holdNextPersonaTurn();
  const first = runner(runId);
  await gate.reached;
  const before = await readRun(runId);
  assert.equal(before.results[0]!.status, 'passed');
  assert.equal(before.results[1]!.status, 'running');
  assert.equal(before.results[2]!.status, 'pending');
  // The first runner stops renewing, as a dead one does: its lease runs out.
  await suites.api.db.system((trx) => trx('test_runs').where({ id: runId }).update({ lease_expires_at: trx.raw(`now() - interval '1 second'`) }));
  assert.deepEqual(await sweptIds(), [runId]);

  await runner(runId);
  const after = await readRun(runId);
  assert.equal(after.status, 'completed');
  assert.deepEqual(after.results[0], before.results[0], 'a finished scenario is kept as it was');
  assert.deepEqual(
    after.results.map((result) => result.status),
    ['passed', 'passed', 'passed'],
  );
  const [firstScenario, persona, last] = after.scenarios.map((scenario) => scenario.id);
  // The dead runner's persona call, then the new runner's persona and last scenarios: the first is not played again.
  assert.deepEqual(await sessionScenarios(runId), [firstScenario, persona, persona, last]);
  assert.equal(after.lease_owner, null);
  assert.deepEqual(await sweptIds(), []);

  // The first runner comes back to life: it lost its lease, so its late result is not written.
  gate.open();
  await first;
  assert.deepEqual(await readRun(runId), after);
  assert.equal(await completedEvents(runId), 1);
});

test('a run a live runner holds is not taken over, nor swept, however long it has been going', async () => {
  const runId = await queueRun();
  const gate = holdNextPersonaTurn();
  const holder = runner(runId);
  await gate.reached;
  await suites.api.db.system((trx) => trx('test_runs').where({ id: runId }).update({ created_at: trx.raw(`now() - interval '1 hour'`) }));
  const held = await readRun(runId);
  assert.ok(held.lease_owner);

  await runner(runId);
  const after = await readRun(runId);
  assert.equal(after.lease_owner, held.lease_owner);
  assert.deepEqual(after.results, held.results);
  assert.equal((await sessionScenarios(runId)).length, 2, 'the second runner started no session');
  assert.deepEqual(await sweptIds(), []);

  gate.open();
  await holder;
  const finished = await readRun(runId);
  assert.equal(finished.status, 'completed');
  assert.deepEqual(
    finished.results.map((result) => result.status),
    ['passed', 'passed', 'passed'],
  );
});

test('renewal keeps the lease past its first term', async () => {
  const runId = await queueRun();
  const gate = holdNextPersonaTurn();
  const holder = runner(runId, { leaseS: 3, renewEveryS: 0.25 });
  await gate.reached;
  const { lease_owner: owner, lease_expires_at: firstTerm } = await readRun(runId);
  await waitFor(
    async () => (await suites.api.db.system((trx) => trx.raw(`SELECT now() > ?::timestamptz + interval '1 second' AS past`, [firstTerm]))).rows[0].past,
    'the first term of the lease to be over',
  );
  const renewed = await readRun(runId);
  assert.equal(renewed.lease_owner, owner);
  assert.ok(renewed.lease_expires_at! > firstTerm!);
  assert.deepEqual(await sweptIds(), []);
  await runner(runId);
  assert.equal((await readRun(runId)).lease_owner, owner);

  gate.open();
  await holder;
  assert.equal((await readRun(runId)).status, 'completed');
});

test('a runner that lost its lease stops: it starts no more scenarios and writes nothing more', async () => {
  const runId = await queueRun();
  const gate = holdNextPersonaTurn();
  const loser = runner(runId, { leaseS: 60, renewEveryS: 0.25 });
  await gate.reached;
  // Another runner has taken the run over (the first stalled past its lease).
  await suites.api.db.system((trx) =>
    trx('test_runs').where({ id: runId }).update({ lease_owner: 'another-runner', lease_expires_at: trx.raw(`now() + interval '1 hour'`) }),
  );
  const taken = await readRun(runId);

  gate.open();
  await loser;
  assert.deepEqual(await readRun(runId), taken);
  const [firstScenario, persona] = taken.scenarios.map((scenario) => scenario.id);
  assert.deepEqual(await sessionScenarios(runId), [firstScenario, persona], 'the last scenario was never started');
  assert.equal(await completedEvents(runId), 0);
});

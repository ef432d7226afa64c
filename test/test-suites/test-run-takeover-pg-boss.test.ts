import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PgBossQueue } from '../../core/queue/pg-boss-queue.ts';
import { enqueueTestRun, TEST_RUN_QUEUE } from '../../core/test-suites/test-run-jobs.ts';
import { startTestRunWorker } from '../../workers/test-runs/test-run-worker.ts';
import { waitFor } from '../support/wait-for.ts';
import { startSuitesApi, testRunDeps } from './support.ts';

/**
 * On pg-boss, a runner that died leaves its job active until pg-boss expires it (15 minutes). The sweep's takeover
 * job must run meanwhile, once the run's lease has run out, without stopping the queue.
 */

// pg-boss connects with its own pool and needs a real PostgreSQL server; the embedded PGlite uses DatabaseQueue.
const skip = !process.env.TEST_DATABASE_URL && 'pg-boss needs PostgreSQL: set TEST_DATABASE_URL (PGlite runs DatabaseQueue instead)';

let suites: Awaited<ReturnType<typeof startSuitesApi>>;
let queue: PgBossQueue;
let databaseUrl: string;
const queueErrors: unknown[] = [];

before(async () => {
  if (skip) return;
  suites = await startSuitesApi('Takeover', {}, {}, { worker: false });
  databaseUrl = (suites.api.db as { url?: string }).url!;
  queue = new PgBossQueue({ connectionString: databaseUrl, onError: (error) => queueErrors.push(error) });
});
after(async () => {
  await queue?.stop();
  await suites?.close();
});

async function onPgBoss(sql: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}

test("a dead runner's run is taken over while its job is still active on pg-boss", { skip }, async () => {
  const assistant = await suites.call('POST', '/v1/assistants', { name: 'Host', model: { provider: 'scripted', script: { rules: [], default_reply: 'Goodbye!' } } });
  assert.equal(assistant.status, 201, JSON.stringify(assistant.body));
  const suite = await suites.call('POST', '/v1/test-suites', { name: 'One call', scenarios: [{ name: 'Greets', caller: { turns: ['Hello'] } }] });
  assert.equal(suite.status, 201, JSON.stringify(suite.body));
  const queued = await suites.call('POST', `/v1/test-suites/${suite.body.id}/runs`, { assistant_id: assistant.body.id });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const testRunId: string = queued.body.id;

  // A runner took the run and its job, then died: the job stays active, the lease runs out.
  await enqueueTestRun(queue, { orgId: suites.orgId, testRunId });
  await onPgBoss(`UPDATE pgboss.job SET state = 'active', started_on = now() WHERE name = $1`, [TEST_RUN_QUEUE]);
  await suites.api.db.system((trx) =>
    trx('test_runs')
      .where({ id: testRunId })
      .update({ status: 'running', started_at: trx.fn.now(), lease_owner: 'dead-runner', lease_expires_at: trx.raw(`now() - interval '1 second'`) }),
  );

  const stopSweep = await startTestRunWorker({ ...testRunDeps(suites.api), queue, sweepIntervalS: 1 });
  try {
    const run = await waitFor(
      async () => {
        const current = await suites.call('GET', `/v1/test-runs/${testRunId}`);
        return current.body.status === 'completed' ? current.body : undefined;
      },
      'the run to be taken over and completed',
      120_000,
    );
    assert.deepEqual(
      run.results.map((result: { status: string }) => result.status),
      ['passed'],
    );
    assert.deepEqual(queueErrors, []);
  } finally {
    stopSweep();
  }
});

import { createRuntimeDeps } from '../../agent-runtime/session/create-runtime-deps.ts';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { startTestRunWorker } from '../../workers/test-runs/test-run-worker.ts';
import type { TestRunDeps } from '../../workers/test-runs/run-test-run.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';

type Call = ReturnType<typeof apiClient>;

/**
 * The test api (`options` as startTestApi takes them) with the workers role's test-run worker on its database and
 * queue, as `echosphere start` runs it (unless `worker` is false: a test then runs runs itself with `testRunDeps`), and
 * `call`, a client of a new organization holding the given provider keys. `close` stops the worker, then the api.
 */
export async function startSuitesApi(
  orgName: string,
  providerKeys: Record<string, string> = {},
  options: Parameters<typeof startTestApi>[0] = {},
  { worker = true }: { worker?: boolean } = {},
) {
  const api = await startTestApi(options);
  const org = await api.createOrganization(orgName);
  const call = apiClient(api.baseUrl, org.secretKey);
  for (const [provider, key] of Object.entries(providerKeys)) {
    const stored = await call('PUT', `/v1/provider-credentials/${provider}`, { api_key: key });
    if (stored.status !== 200) throw new Error(`${provider} key not stored: ${JSON.stringify(stored.body)}`);
  }
  const stopWorker = worker ? await startTestRunWorker({ ...testRunDeps(api), queue: api.media.queue, sweepIntervalS: 0 }) : () => {};
  return {
    api,
    call,
    orgId: org.orgId,
    async close() {
      stopWorker();
      await api.close();
    },
  };
}

/** What a workers-role process runs test runs with, on the test api's database and queue. */
export function testRunDeps(api: TestApi): TestRunDeps {
  const { db, secretBox, logger } = api.deps;
  return {
    runtime: createRuntimeDeps({ db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {}, media: api.media }),
    evaluations: { db, secretBox, env: {}, providerUrlPolicy: providerUrlPolicy(true), queue: api.media.queue },
    logger,
    defaultMaxConcurrentSessions: api.config.defaultMaxConcurrentSessions,
  };
}

/** Runs the suite against the assistant (with a patch, if given) and returns the finished run. */
export async function runSuite(call: Call, suiteId: string, body: Record<string, unknown>, timeoutMs = 300_000) {
  const queued = await call('POST', `/v1/test-suites/${suiteId}/runs`, body);
  if (queued.status !== 202) throw new Error(`run not queued: ${JSON.stringify(queued.body)}`);
  return waitFor(
    async () => {
      const run = await call('GET', `/v1/test-runs/${queued.body.id}`);
      return run.body.status === 'completed' || run.body.status === 'failed' ? run.body : undefined;
    },
    `test run ${queued.body.id} to finish`,
    timeoutMs,
  );
}

interface ScenarioOutcome {
  status: string;
  error: string | null;
  failed: string[];
}

/** Per scenario name: its status, error and the criteria that did not pass. */
export function outcomes(run: { results: Array<{ scenario_name: string; status: string; error: string | null; scores: Array<{ criterion: string; passed: boolean | null }> }> }) {
  return Object.fromEntries(
    run.results.map((result) => [
      result.scenario_name,
      { status: result.status, error: result.error, failed: result.scores.filter((score) => score.passed === false).map((score) => score.criterion) },
    ]),
  ) as Record<string, ScenarioOutcome>;
}

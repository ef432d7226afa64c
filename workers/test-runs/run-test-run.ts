import { inParallel } from '../../core/in-parallel.ts';
import { getAssistant } from '../../core/repositories/assistants.ts';
import type { ScenarioResult, TestRunRow } from '../../core/repositories/test-runs.ts';
import { patchedAssistant } from '../../core/test-suites/test-assistant.ts';
import type { Logger } from '../../core/logger.ts';
import { playScenario, type ScenarioPlayDeps } from './play-scenario.ts';
import { DEFAULT_LEASE, TestRunLease, type LeaseTiming } from './test-run-lease.ts';

export interface TestRunDeps extends ScenarioPlayDeps {
  logger: Logger;
  /** The runner's lease on a run it plays; 60 s renewed every 20 s unless given. */
  lease?: LeaseTiming;
}

const FINISHED: ReadonlySet<ScenarioResult['status']> = new Set(['passed', 'failed', 'error']);

/**
 * Runs a test run to its end, holding it with a lease (./test-run-lease.ts): its scenarios, `concurrency` at a time,
 * each result saved as it arrives (so the report fills in while the run goes on), then the run's status and its
 * `test_run.completed` event. A run another runner holds is left to it. A run taken over from a runner that died
 * keeps the scenarios that finished and plays the rest. A runner that loses its lease starts no more scenarios, ends
 * the ones it plays and writes nothing more. A run that cannot start — its assistant was deleted, or the patch no
 * longer applies to it — is `failed` with the reason on every scenario.
 */
export async function runTestRun(deps: TestRunDeps, orgId: string, testRunId: string): Promise<void> {
  const db = deps.runtime.db;
  const taken = await TestRunLease.take(db, deps.logger, orgId, testRunId, deps.lease ?? DEFAULT_LEASE);
  if (!taken) return;
  const { lease, run } = taken;
  try {
    const assistantRow = await db.tenant(orgId, (trx) => getAssistant(trx, orgId, run.assistant_id));
    const assistant = assistantRow
      ? await patchedAssistant(assistantRow, run.assistant_patch).catch((error: unknown) => new Error(`The assistant patch no longer applies: ${(error as Error).message}`))
      : new Error(`The assistant "${run.assistant_id}" was deleted.`);
    if (assistant instanceof Error) {
      await lease.finish('failed', run.results.map((result): ScenarioResult => ({ ...result, status: 'error', error: assistant.message })));
      return;
    }
    const results = [...run.results];
    await inParallel(pendingIndexes(run), run.concurrency, async (index) => {
      if (lease.signal.aborted) return;
      const scenario = run.scenarios[index]!;
      await lease.saveResult(index, { ...results[index]!, status: 'running' });
      let result: ScenarioResult;
      try {
        result = await playScenario(deps, { orgId, testRunId, suiteId: run.suite_id, assistant, scenario, stop: lease.signal });
      } catch (error) {
        deps.logger.error('test scenario failed to play', { test_run_id: testRunId, scenario_id: scenario.id, error: String(error) });
        result = { ...results[index]!, status: 'error', error: `The scenario could not be played: ${(error as Error).message}` };
      }
      results[index] = result;
      await lease.saveResult(index, result);
    });
    await lease.finish('completed', results);
  } finally {
    lease.release();
  }
}

function pendingIndexes(run: TestRunRow): number[] {
  return run.results.flatMap((result, index) => (FINISHED.has(result.status) ? [] : [index]));
}

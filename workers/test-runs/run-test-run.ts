import { inParallel } from '../../core/in-parallel.ts';
import { getAssistant } from '../../core/repositories/assistants.ts';
import { finishTestRun, markTestRunRunning, saveScenarioResult, type ScenarioResult, type TestRunRow } from '../../core/repositories/test-runs.ts';
import { patchedAssistant } from '../../core/test-suites/test-assistant.ts';
import type { Logger } from '../../core/logger.ts';
import { playScenario, type ScenarioPlayDeps } from './play-scenario.ts';

export interface TestRunDeps extends ScenarioPlayDeps {
  logger: Logger;
}

const FINISHED: ReadonlySet<ScenarioResult['status']> = new Set(['passed', 'failed', 'error']);

/**
 * Runs a test run to its end: its scenarios, `concurrency` at a time, each result saved as it arrives (so the report
 * fills in while the run goes on), then the run's status and its `test_run.completed` event. A run delivered again
 * (its worker died) keeps the scenarios that finished and plays the rest. A run that cannot start — its assistant was
 * deleted, or the patch no longer applies to it — is `failed` with the reason on every scenario.
 */
export async function runTestRun(deps: TestRunDeps, orgId: string, testRunId: string): Promise<void> {
  const db = deps.runtime.db;
  const run = await db.tenant(orgId, (trx) => markTestRunRunning(trx, orgId, testRunId));
  if (!run) return;
  const assistantRow = await db.tenant(orgId, (trx) => getAssistant(trx, orgId, run.assistant_id));
  const assistant = assistantRow
    ? await patchedAssistant(assistantRow, run.assistant_patch).catch((error: unknown) => new Error(`The assistant patch no longer applies: ${(error as Error).message}`))
    : new Error(`The assistant "${run.assistant_id}" was deleted.`);
  if (assistant instanceof Error) {
    const results = run.results.map((result): ScenarioResult => ({ ...result, status: 'error', error: assistant.message }));
    await db.tenant(orgId, (trx) => finishTestRun(trx, orgId, testRunId, 'failed', results));
    return;
  }
  const results = [...run.results];
  await inParallel(pendingIndexes(run), run.concurrency, async (index) => {
    const scenario = run.scenarios[index]!;
    const save = (result: ScenarioResult) => db.tenant(orgId, (trx) => saveScenarioResult(trx, orgId, testRunId, index, result));
    await save({ ...results[index]!, status: 'running' });
    let result: ScenarioResult;
    try {
      result = await playScenario(deps, { orgId, testRunId, assistant, scenario });
    } catch (error) {
      deps.logger.error('test scenario failed to play', { test_run_id: testRunId, scenario_id: scenario.id, error: String(error) });
      result = { ...results[index]!, status: 'error', error: `The scenario could not be played: ${(error as Error).message}` };
    }
    results[index] = result;
    await save(result);
  });
  await db.tenant(orgId, (trx) => finishTestRun(trx, orgId, testRunId, 'completed', results));
}

function pendingIndexes(run: TestRunRow): number[] {
  return run.results.flatMap((result, index) => (FINISHED.has(result.status) ? [] : [index]));
}

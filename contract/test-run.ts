import type { ScenarioStatus, TestRunRow } from '../core/repositories/test-runs.ts';

function summaryOf(row: Pick<TestRunRow, 'results' | 'started_at' | 'completed_at'>) {
  const count = (status: ScenarioStatus) => row.results.filter((result) => result.status === status).length;
  return {
    total: row.results.length,
    passed: count('passed'),
    failed: count('failed'),
    errored: count('error'),
    duration_ms: row.started_at && row.completed_at ? row.completed_at.getTime() - row.started_at.getTime() : null,
  };
}

/** The public test run, as the API returns it and the `test_run.completed` event carries it. */
export function toPublicTestRun(row: TestRunRow) {
  return {
    id: row.id,
    object: 'test_run' as const,
    suite_id: row.suite_id,
    assistant_id: row.assistant_id,
    assistant_patch: row.assistant_patch,
    status: row.status,
    results: row.results,
    summary: summaryOf(row),
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

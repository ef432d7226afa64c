import type { TestRunApi } from './api-client.ts';
import { scenarioLine, summaryLine } from './report-table.ts';

export interface SuiteRun {
  /** A suite on the server (its id), or the body of one to create for this run and delete after it. */
  suite: { id: string } | { body: unknown };
  assistantId: string;
  patch: unknown;
  concurrency: number | undefined;
  /** Print the run report once it is over, instead of a line per scenario and a summary. */
  json: boolean;
}

const POLL_MS = 500;
const FINISHED = new Set(['passed', 'failed', 'error']);

/**
 * Runs a suite through the API of a server, prints it as it goes and resolves with the exit code: 0 when every
 * scenario passed, 1 otherwise.
 */
export async function runSuite(call: TestRunApi, run: SuiteRun, out: NodeJS.WritableStream): Promise<number> {
  const suiteId = 'id' in run.suite ? run.suite.id : ((await call('POST', '/v1/test-suites', run.suite.body)).id as string);
  try {
    const queued = await call('POST', `/v1/test-suites/${suiteId}/runs`, {
      assistant_id: run.assistantId,
      ...(run.patch !== undefined ? { assistant_patch: run.patch } : {}),
      ...(run.concurrency !== undefined ? { concurrency: run.concurrency } : {}),
    });
    const finished = await followRun(call, queued.id as string, run.json ? undefined : out);
    out.write(run.json ? `${JSON.stringify(finished, null, 2)}\n` : summaryLine(finished));
    return finished.status === 'completed' && finished.summary.passed === finished.summary.total ? 0 : 1;
  } finally {
    if ('body' in run.suite) await call('DELETE', `/v1/test-suites/${suiteId}`).catch(() => undefined);
  }
}

/** Polls the run until it is over, printing each scenario's line once it has finished. */
async function followRun(call: TestRunApi, runId: string, out: NodeJS.WritableStream | undefined) {
  const printed = new Set<string>();
  for (;;) {
    const run = await call('GET', `/v1/test-runs/${runId}`);
    for (const result of run.results as Array<Parameters<typeof scenarioLine>[0] & { scenario_id: string }>) {
      if (!FINISHED.has(result.status) || printed.has(result.scenario_id)) continue;
      printed.add(result.scenario_id);
      out?.write(scenarioLine(result));
    }
    if (run.status === 'completed' || run.status === 'failed') return run as Parameters<typeof summaryLine>[0] & Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

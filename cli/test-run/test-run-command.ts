import { existsSync, readFileSync } from 'node:fs';
import { isId } from '../../core/ids.ts';
import { CliError } from '../cli-error.ts';
import { testRunApi, type TestRunApi } from './api-client.ts';
import { scenarioLine, summaryLine } from './report-table.ts';

export interface TestRunOptions {
  suite?: string | undefined;
  assistant?: string | undefined;
  patch?: string | undefined;
  url?: string | undefined;
  key?: string | undefined;
  json?: boolean | undefined;
  concurrency?: string | undefined;
}

const POLL_MS = 500;
const FINISHED = new Set(['passed', 'failed', 'error']);

/**
 * `echosphere test run --suite suite.json|<suite id> --assistant <id> [--patch patch.json]`: runs a test suite on an
 * EchoSphere server (by default the one `npm start` runs here, http://localhost:$PORT, with $ECHOSPHERE_KEY) and
 * prints a line per scenario as it finishes — or, with --json, the run report once it is over. A suite file is
 * created on the server for the run and deleted after it. Resolves with the exit code: 0 when every scenario passed,
 * 1 otherwise.
 */
export async function testRunCommand(options: TestRunOptions, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.suite) throw new CliError('test run needs --suite (a suite JSON file, or a test suite id)');
  if (!options.assistant || !isId('assistant', options.assistant)) throw new CliError('test run needs --assistant <assistant id>');
  const key = options.key ?? env.ECHOSPHERE_KEY;
  if (!key) throw new CliError('test run needs an API key: --key sk_… or ECHOSPHERE_KEY (npm start prints the default organization\'s).');
  const baseUrl = options.url ?? env.ECHOSPHERE_URL ?? `http://localhost:${env.PORT ?? 3000}`;
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  const call = testRunApi(baseUrl, key);

  const fromFile = !isId('testSuite', options.suite);
  const suiteId = fromFile ? (await call('POST', '/v1/test-suites', readJson(options.suite, '--suite'))).id as string : options.suite;
  try {
    const queued = await call('POST', `/v1/test-suites/${suiteId}/runs`, {
      assistant_id: options.assistant,
      ...(options.patch ? { assistant_patch: readJson(options.patch, '--patch') } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
    const run = await followRun(call, queued.id as string, options.json ? undefined : out);
    out.write(options.json ? `${JSON.stringify(run, null, 2)}\n` : summaryLine(run));
    return run.status === 'completed' && run.summary.passed === run.summary.total ? 0 : 1;
  } finally {
    if (fromFile) await call('DELETE', `/v1/test-suites/${suiteId}`).catch(() => undefined);
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

function readJson(file: string, flag: string): unknown {
  if (!existsSync(file)) throw new CliError(`${flag}: no such file: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${flag}: ${file} is not JSON (${(error as Error).message})`);
  }
}

import { isId } from '../../core/ids.ts';
import { CliError } from '../cli-error.ts';
import { testRunApi } from './api-client.ts';
import { withEmbeddedServer } from './embedded-server.ts';
import { readJsonFile } from './read-json-file.ts';
import { runSuite, type SuiteRun } from './run-suite.ts';

export interface TestRunOptions {
  suite?: string | undefined;
  assistant?: string | undefined;
  patch?: string | undefined;
  url?: string | undefined;
  key?: string | undefined;
  json?: boolean | undefined;
  concurrency?: string | undefined;
}

/**
 * `echosphere test run --suite suite.json|<suite id> --assistant assistant.json|<assistant id> [--patch patch.json]`
 * prints a line per scenario as it finishes — or, with --json, the run report once it is over — and resolves with the
 * exit code: 0 when every scenario passed, 1 otherwise.
 *
 * With --url (or ECHOSPHERE_URL) the run is on that server, with --key (or ECHOSPHERE_KEY), against an assistant it
 * holds; a suite file is created there for the run and deleted after it. Without, the run is on an EchoSphere started
 * in this process for it, on a temporary embedded database that holds nothing else: the suite and the assistant come
 * from files, created in it.
 */
export async function testRunCommand(options: TestRunOptions, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.suite) throw new CliError('test run needs --suite (a suite JSON file, or with --url a test suite id)');
  if (!options.assistant) throw new CliError('test run needs --assistant (an assistant JSON file, or with --url an assistant id)');
  const patch = options.patch ? readJsonFile(options.patch, '--patch') : undefined;
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  const json = options.json ?? false;
  const url = options.url ?? env.ECHOSPHERE_URL;
  if (url) return runRemotely(url, options.key ?? env.ECHOSPHERE_KEY, { suite: suiteOf(options.suite), assistantId: options.assistant, patch, concurrency, json }, out);

  if (options.key) throw new CliError('--key is the key of the server --url names; without --url the run has a server of its own.');
  for (const [flag, value, kind] of [['--suite', options.suite, 'testSuite'], ['--assistant', options.assistant, 'assistant']] as const) {
    if (isId(kind, value)) {
      throw new CliError(`${flag} ${value}: an id needs --url, the server that holds it. Without --url the run starts an embedded server that holds nothing: pass a JSON file.`);
    }
  }
  const suite = readJsonFile(options.suite, '--suite');
  const assistant = readJsonFile(options.assistant, '--assistant');
  return withEmbeddedServer(env, async ({ baseUrl, key }) => {
    const call = testRunApi(baseUrl, key);
    const assistantId = (await call('POST', '/v1/assistants', assistant)).id as string;
    return runSuite(call, { suite: { body: suite }, assistantId, patch, concurrency, json }, out);
  });
}

function runRemotely(url: string, key: string | undefined, run: SuiteRun, out: NodeJS.WritableStream): Promise<number> {
  if (!isId('assistant', run.assistantId)) throw new CliError('--assistant: with --url, the id of an assistant on that server (asst_…)');
  if (!key) throw new CliError(`test run needs the API key of ${url}: --key sk_… or ECHOSPHERE_KEY.`);
  return runSuite(testRunApi(url, key), run, out);
}

/** A suite id names a suite on the server; anything else is a suite file. */
function suiteOf(suite: string): SuiteRun['suite'] {
  return isId('testSuite', suite) ? { id: suite } : { body: readJsonFile(suite, '--suite') };
}

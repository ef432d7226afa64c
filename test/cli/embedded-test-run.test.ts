import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { newId } from '../../core/ids.ts';
import { exitCode, runEchoSphere } from './start-process.ts';
import { OFFLINE_ASSISTANT, offlineSuite } from '../test-suites/offline-bookings.ts';

/**
 * `echosphere test run` without --url, as CI runs it: no server, no provider keys. The command starts an embedded
 * EchoSphere for the run on a temporary folder (it names the folder on standard error), creates the assistant and
 * the suite from their files, and deletes the folder afterwards.
 */

const files = mkdtempSync(path.join(tmpdir(), 'echosphere-embedded-run-'));
// No key and no server of the environment reach the run; its server logs only errors.
const env = { ECHOSPHERE_URL: '', ECHOSPHERE_KEY: '', OPENAI_API_KEY: '', DEEPGRAM_API_KEY: '', ELEVEN_API_KEY: '', LOG_LEVEL: '' };
after(() => {
  rmSync(files, { recursive: true, force: true });
});

const assistantFile = path.join(files, 'assistant.json');
writeFileSync(assistantFile, JSON.stringify(OFFLINE_ASSISTANT));

function suiteFile(name: string, pattern: string): string {
  const file = path.join(files, `${name}.json`);
  writeFileSync(file, JSON.stringify(offlineSuite(pattern)));
  return file;
}

/** The temporary data folder the run named; `undefined` when it started none. */
const dataFolder = (stderr: string) => /data in (\S+), deleted afterwards/.exec(stderr)?.[1];

const testRun = (suite: string, assistant = assistantFile, ...more: string[]) => runEchoSphere(['test', 'run', '--suite', suite, '--assistant', assistant, ...more], env);

test('an offline suite on a fresh embedded server prints its table and exits 0, leaving nothing behind', { timeout: 300_000 }, async () => {
  const result = await testRun(suiteFile('passing', 'booked'));
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /PASS\s+Books a table\s+\d+\.\d s\s+sess_/);
  assert.match(result.stdout, /1 scenario: 1 passed, 0 failed, 0 errored in \d+\.\d s \(run trun_\w+, completed\)/);
  assert.match(result.stderr, /Starting an embedded EchoSphere for this run/);
  assert.doesNotMatch(result.stderr, /"level":"error"/);
  assert.equal(existsSync(dataFolder(result.stderr)!), false, 'the temporary data folder is deleted');
});

test('the same suite with a criterion the assistant fails exits 1 and names the criterion', { timeout: 300_000 }, async () => {
  const result = await testRun(suiteFile('failing', 'cancelled'));
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /FAIL\s+Books a table/);
  assert.match(result.stdout, /✗ Confirms the booking: /);
  assert.doesNotMatch(result.stdout, /✗ Two caller turns/);
  assert.match(result.stdout, /1 scenario: 0 passed, 1 failed, 0 errored/);
  assert.equal(existsSync(dataFolder(result.stderr)!), false, 'the temporary data folder is deleted');
});

test('an id without --url exits 2: the embedded server holds nothing', async () => {
  const suiteId = await testRun(newId('testSuite'));
  assert.equal(suiteId.code, 2);
  assert.match(suiteId.stderr.trim(), /^--suite tsuite_\w+: an id needs --url, the server that holds it\./);
  const assistantId = await testRun(suiteFile('by-id', 'booked'), newId('assistant'));
  assert.equal(assistantId.code, 2);
  assert.match(assistantId.stderr.trim(), /^--assistant asst_\w+: an id needs --url/);
  assert.equal(dataFolder(suiteId.stderr + assistantId.stderr), undefined, 'nothing was started');
});

test('Ctrl-C during a run deletes the temporary folder and exits 130', { timeout: 300_000 }, async () => {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../bin/echosphere.mjs'), 'test', 'run', '--suite', suiteFile('interrupted', 'booked'), '--assistant', assistantFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const dataDir = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const folder = dataFolder(stderr);
      if (folder) resolve(folder);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
  });
  // Interrupted once the embedded database is open: its lock file is there.
  while (!existsSync(path.join(dataDir, 'pgdata', 'echosphere.lock'))) await new Promise((resolve) => setTimeout(resolve, 50));
  const exited = exitCode(child);
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /Interrupted \(SIGINT\); the embedded server's data in .* was deleted\./);
  assert.equal(existsSync(dataDir), false);
});

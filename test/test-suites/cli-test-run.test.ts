import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { exitCode, printedKey, runEchoSphere, startEchoSphere } from '../cli/start-process.ts';
import { apiClient } from '../support/client.ts';
import { OFFLINE_ASSISTANT, offlineSuite } from './offline-bookings.ts';

/**
 * `echosphere test run` against a fresh embedded start with no provider keys: an offline suite (scripted caller,
 * scripted assistant, local voice, metric and match criteria) prints its table and exits 0; the same suite with a
 * criterion the assistant cannot meet exits 1 and names that criterion.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-test-run-'));
const files = mkdtempSync(path.join(tmpdir(), 'echosphere-suites-'));
const env = { ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '', OPENAI_API_KEY: '', DEEPGRAM_API_KEY: '', ELEVEN_API_KEY: '' };
let server: ReturnType<typeof startEchoSphere>;
let baseUrl: string;
let key: string;
let call: ReturnType<typeof apiClient>;
let assistantId: string;


before(async () => {
  server = startEchoSphere(env);
  baseUrl = await server.ready;
  key = printedKey(server.output())!.key;
  call = apiClient(baseUrl, key);
  const created = await call('POST', '/v1/assistants', OFFLINE_ASSISTANT);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assistantId = created.body.id;
});
after(async () => {
  const stopped = exitCode(server.child);
  server.child.kill('SIGTERM');
  await stopped;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

test('an offline suite passes: a table line per scenario, exit 0', { timeout: 300_000 }, async () => {
  const file = path.join(files, 'passing.json');
  writeFileSync(file, JSON.stringify(offlineSuite('booked')));
  const result = await runEchoSphere(['test', 'run', '--suite', file, '--assistant', assistantId, '--url', baseUrl, '--key', key], {});
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /PASS\s+Books a table\s+\d+\.\d s\s+sess_/);
  assert.match(result.stdout, /1 scenario: 1 passed, 0 failed, 0 errored in \d+\.\d s \(run trun_\w+, completed\)/);
  // The suite made from the file is removed once it has run.
  assert.deepEqual((await call('GET', '/v1/test-suites')).body.data, []);
});

test('a failing criterion exits 1 and names the criterion; --json prints the report', { timeout: 300_000 }, async () => {
  const file = path.join(files, 'failing.json');
  writeFileSync(file, JSON.stringify(offlineSuite('cancelled')));
  const result = await runEchoSphere(['test', 'run', '--suite', file, '--assistant', assistantId, '--json'], { ECHOSPHERE_URL: baseUrl, ECHOSPHERE_KEY: key });
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as { summary: { failed: number }; results: Array<{ status: string; scores: Array<{ criterion: string; passed: boolean }> }> };
  assert.equal(report.summary.failed, 1);
  assert.equal(report.results[0]!.status, 'failed');
  assert.deepEqual(report.results[0]!.scores.map((score) => [score.criterion, score.passed]), [['Confirms the booking', false], ['Two caller turns', true]]);
});

test('bad arguments are one clear line, exit 2', async () => {
  const result = await runEchoSphere(['test', 'run', '--suite', path.join(files, 'missing.json'), '--assistant', assistantId, '--url', baseUrl, '--key', key], {});
  assert.equal(result.code, 2);
  assert.match(result.stderr.trim(), /^--suite: no such file: /);
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { newId } from '../../core/ids.ts';
import { runEchoSphere } from './start-process.ts';

/**
 * `echosphere test run` with no server and no keys: the command starts an embedded EchoSphere for the run on a
 * temporary database, creates the assistant and the suite from their files, prints the table and deletes the data.
 */

const files = mkdtempSync(path.join(tmpdir(), 'echosphere-embedded-suites-'));
// Nothing of the machine's: no server to reach, no provider key to use.
const offline = { ECHOSPHERE_URL: '', ECHOSPHERE_KEY: '', DATABASE_URL: '', OPENAI_API_KEY: '', DEEPGRAM_API_KEY: '', ELEVEN_API_KEY: '' };

const assistantFile = path.join(files, 'assistant.json');
writeFileSync(
  assistantFile,
  JSON.stringify({
    name: 'Bookings',
    model: { provider: 'scripted', script: { rules: [{ pattern: 'table', reply: 'Booked: a table for four on Friday.' }], default_reply: 'Goodbye!' } },
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 450 },
  }),
);

function suiteFile(name: string, pattern: string): string {
  const file = path.join(files, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name: 'Offline bookings',
      scenarios: [
        {
          name: 'Books a table',
          caller: { turns: ['I would like to book a table', 'Thanks'] },
          criteria: [
            { kind: 'match', name: 'Confirms the booking', mode: 'contains', pattern },
            { kind: 'metric', name: 'Two caller turns', metric: 'user_turns', operator: 'eq', threshold: 2 },
          ],
        },
      ],
    }),
  );
  return file;
}

/** The temporary data folder the command said it used. */
function dataFolder(stderr: string): string {
  const folder = /data in (\S+), deleted afterwards/.exec(stderr)?.[1];
  assert.ok(folder, `the command names its data folder:\n${stderr}`);
  return folder;
}

after(() => rmSync(files, { recursive: true, force: true }));

test('an offline suite on a fresh embedded server: a table line per scenario, exit 0, the data deleted', { timeout: 300_000 }, async () => {
  const result = await runEchoSphere(['test', 'run', '--suite', suiteFile('passing', 'booked'), '--assistant', assistantFile], offline);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /PASS\s+Books a table\s+\d+\.\d s\s+sess_/);
  assert.match(result.stdout, /1 scenario: 1 passed, 0 failed, 0 errored in \d+\.\d s \(run trun_\w+, completed\)/);
  assert.equal(existsSync(dataFolder(result.stderr)), false, 'the embedded data folder is deleted');
});

test('the same suite with a criterion the assistant cannot meet exits 1 and names the criterion', { timeout: 300_000 }, async () => {
  const result = await runEchoSphere(['test', 'run', '--suite', suiteFile('failing', 'cancelled'), '--assistant', assistantFile], offline);
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /FAIL\s+Books a table/);
  assert.match(result.stdout, /✗ Confirms the booking:/);
  assert.doesNotMatch(result.stdout, /✗ Two caller turns/);
  assert.equal(existsSync(dataFolder(result.stderr)), false, 'the embedded data folder is deleted');
});

test('an id without --url is one clear line, exit 2: nothing would hold it', async () => {
  const result = await runEchoSphere(['test', 'run', '--suite', suiteFile('ids', 'booked'), '--assistant', newId('assistant')], offline);
  assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr.trim(), /^--assistant asst_\w+: an id needs --url/);
});

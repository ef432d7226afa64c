import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-start-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function start(): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  const child = spawn(process.execPath, [path.join(root, 'bin/echosphere.mjs'), 'start'], {
    env: { ...process.env, PORT: '0', ECHOSPHERE_DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'info', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const api = /API\s+(http:\/\/\S+)\/v1/.exec(output);
      if (api && output.includes('Health')) resolve(api[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, ready };
}

/** The exit code, or the signal that ended the process (so a failure says which). */
function exitCode(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

test('the embedded default starts with no services, prints a working key, and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
  const first = start();
  const baseUrl = await first.ready;
  const key = /sk_[A-Za-z0-9_-]{43}/.exec(first.output())?.[0];
  assert.ok(key, 'the first start prints the default organization key');
  assert.ok(!first.output().includes(`"${key}"`) && first.output().split(key!).length === 3, 'the key appears only in the welcome text');

  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const assistant = await fetch(`${baseUrl}/v1/assistants`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Front desk', system_prompt: 'Be kind.', first_message: 'Hello!' }),
  });
  assert.equal(assistant.status, 201);
  const session = await fetch(`${baseUrl}/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ assistant_id: ((await assistant.json()) as { id: string }).id }),
  });
  assert.equal(session.status, 201);

  const stopped = exitCode(first.child);
  first.child.kill('SIGTERM');
  assert.equal(await stopped, 0);

  const second = start();
  await second.ready;
  assert.ok(!/sk_[A-Za-z0-9_-]{43}/.test(second.output()), 'later starts do not create or print keys');
  const secondStopped = exitCode(second.child);
  second.child.kill('SIGTERM');
  assert.equal(await secondStopped, 0);
});

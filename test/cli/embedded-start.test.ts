import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { exitCode, startEchoSphere } from './start-process.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-start-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startEchoSphere({ ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '' });

test('the embedded default starts with no services, prints a working key, and stops cleanly on SIGTERM and Ctrl-C', { timeout: 120_000 }, async () => {
  const first = start();
  const baseUrl = await first.ready;
  const key = /sk_[A-Za-z0-9_-]{43}/.exec(first.output())?.[0];
  assert.ok(key, 'the first start prints the default organization key');
  assert.ok(!first.output().includes(`"${key}"`) && first.output().split(key!).length === 3, 'the key appears only in the welcome text');
  assert.doesNotMatch(first.output(), /"level":"(warn|error)"|Warning:/, 'a first start prints no warning');

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
  const orgId = /A default organization was created \((org_\w+)\)/.exec(first.output())?.[1];
  assert.ok(orgId);
  assert.ok(second.output().includes(`npx echosphere keys create --org ${orgId}`), 'a later start says how to get another key');
  const secondStopped = exitCode(second.child);
  second.child.kill('SIGINT');
  assert.equal(await secondStopped, 0);
  assert.match(second.output(), /shutting down.*SIGINT/, 'Ctrl-C says that the server is shutting down');
});

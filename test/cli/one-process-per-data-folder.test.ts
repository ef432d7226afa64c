import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { exitCode, printedKey, runEchoSphere, startEchoSphere } from './start-process.ts';

const STACK_LINE = /^\s+at /m;

function embeddedEnv(): { env: NodeJS.ProcessEnv; remove: () => void } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-lock-'));
  return { env: { ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '' }, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

async function listAssistants(baseUrl: string, key: string): Promise<{ status: number; names: string[] }> {
  const response = await fetch(`${baseUrl}/v1/assistants`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await response.json()) as { data?: { name: string }[] };
  return { status: response.status, names: (body.data ?? []).map((assistant) => assistant.name) };
}

test('while a server runs on the embedded database, the admin commands and a second start are refused naming it, and nothing is lost', { timeout: 420_000 }, async () => {
  const { env, remove } = embeddedEnv();
  const server = startEchoSphere(env);
  try {
    const baseUrl = await server.ready;
    const { key, orgId } = printedKey(server.output())!;
    const created = await fetch(`${baseUrl}/v1/assistants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Front desk', system_prompt: 'Be kind.' }),
    });
    assert.equal(created.status, 201);

    const pid = server.child.pid!;
    for (const args of [['orgs', 'create', '--name', 'Second'], ['keys', 'create', '--org', orgId], ['migrate']]) {
      const run = await runEchoSphere(args, env);
      assert.notEqual(run.code, 0, `${args.join(' ')} exits non-zero`);
      assert.match(run.stderr, new RegExp(`in use by process ${pid}\\b`), `${args.join(' ')} names the server's process`);
      assert.match(run.stderr, /stop/i, `${args.join(' ')} says what to do`);
      assert.doesNotMatch(run.stderr, STACK_LINE);
      assert.doesNotMatch(run.stdout + run.stderr, /sk_/, `${args.join(' ')} prints no key`);
    }

    const second = startEchoSphere(env);
    await assert.rejects(second.ready, new RegExp(`in use by process ${pid}\\b`));
    assert.notEqual(await exitCode(second.child), 0);
    assert.doesNotMatch(second.output(), STACK_LINE);

    assert.deepEqual(await listAssistants(baseUrl, key), { status: 200, names: ['Front desk'] }, 'the running server is untouched');
    const stopped = exitCode(server.child);
    server.child.kill('SIGTERM');
    assert.equal(await stopped, 0);

    // Stopped, the folder is free again: the command line works on it, and everything is still there.
    const organization = await runEchoSphere(['orgs', 'create', '--name', 'Second'], env);
    assert.equal(organization.code, 0, organization.stderr);
    const secondKey = /sk_[A-Za-z0-9_-]{43}/.exec(organization.stdout)?.[0];
    assert.ok(secondKey, 'orgs create prints the new organization key');

    const restarted = startEchoSphere(env);
    try {
      const restartedUrl = await restarted.ready;
      assert.equal(printedKey(restarted.output()), undefined, 'a later start prints no key');
      assert.deepEqual(await listAssistants(restartedUrl, key), { status: 200, names: ['Front desk'] });
      assert.deepEqual(await listAssistants(restartedUrl, secondKey), { status: 200, names: [] });
    } finally {
      const restartedStopped = exitCode(restarted.child);
      restarted.child.kill('SIGTERM');
      assert.equal(await restartedStopped, 0);
    }
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    remove();
  }
});

test('a server killed outright does not block the next start, which keeps its data', { timeout: 300_000 }, async () => {
  const { env, remove } = embeddedEnv();
  const running: ReturnType<typeof startEchoSphere>[] = [];
  const start = () => {
    const server = startEchoSphere(env);
    running.push(server);
    return server;
  };
  try {
    // Stopped once cleanly first, so the key is recorded as shown and the kill below is the only thing left behind.
    const first = start();
    await first.ready;
    const { key } = printedKey(first.output())!;
    const stopped = exitCode(first.child);
    first.child.kill('SIGTERM');
    assert.equal(await stopped, 0);

    const second = start();
    const secondUrl = await second.ready;
    const created = await fetch(`${secondUrl}/v1/assistants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Front desk', system_prompt: 'Be kind.' }),
    });
    assert.equal(created.status, 201);
    const killed = exitCode(second.child);
    second.child.kill('SIGKILL');
    assert.equal(await killed, 'SIGKILL');

    const third = start();
    const baseUrl = await third.ready;
    assert.deepEqual(await listAssistants(baseUrl, key), { status: 200, names: ['Front desk'] });
    const thirdStopped = exitCode(third.child);
    third.child.kill('SIGTERM');
    assert.equal(await thirdStopped, 0);
  } finally {
    for (const server of running) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    remove();
  }
});

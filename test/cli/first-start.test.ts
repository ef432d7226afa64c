import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { defaultOrganizationKeyToPrint } from '../../cli/default-organization-key.ts';
import { parseConfig } from '../../core/config.ts';
import { openPlatform } from '../../core/platform.ts';
import { exitCode, printedKey, runEchoSphere, startEchoSphere } from './start-process.ts';

async function keyWorks(baseUrl: string, key: string): Promise<number> {
  return (await fetch(`${baseUrl}/v1/assistants`, { headers: { authorization: `Bearer ${key}` } })).status;
}

async function stop(child: ReturnType<typeof startEchoSphere>['child']): Promise<void> {
  const stopped = exitCode(child);
  child.kill('SIGTERM');
  assert.equal(await stopped, 0);
}

test('a first start whose port is taken says so in one line, and the next start prints a key the server accepts', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-port-'));
  const env = { ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '' };
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const refused = await runEchoSphere(['start'], { ...env, PORT: String(port) });
    assert.notEqual(refused.code, 0);
    const message = refused.stderr.trim();
    assert.equal(message.split('\n').length, 1, `one line, no stack:\n${refused.stderr}`);
    assert.match(message, new RegExp(`port ${port}\\b`, 'i'));
    assert.match(message, /\bPORT=/, 'it says which setting chooses another port');
    assert.doesNotMatch(refused.stdout, /sk_/);

    const next = startEchoSphere(env);
    try {
      const baseUrl = await next.ready;
      const printed = printedKey(next.output());
      assert.ok(printed, `the next start prints the default organization key:\n${next.output()}`);
      assert.equal(await keyWorks(baseUrl, printed.key), 200);
    } finally {
      await stop(next.child);
    }
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a start finds the default organization with a key that was never shown: it revokes it and prints a new one', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-unshown-'));
  const env = { ECHOSPHERE_DATA_DIR: dataDir, DATABASE_URL: '' };
  try {
    // What a first start leaves when it stops after creating the organization and before printing its key.
    const platform = await openPlatform(parseConfig({ ...env, LOG_LEVEL: 'error' }));
    const unshown = await defaultOrganizationKeyToPrint(platform);
    await platform.db.close();
    assert.ok(unshown?.created);

    const next = startEchoSphere(env);
    try {
      const baseUrl = await next.ready;
      const printed = printedKey(next.output());
      assert.ok(printed, `the start prints a new key:\n${next.output()}`);
      assert.equal(printed.orgId, unshown.orgId, 'for the same organization');
      assert.notEqual(printed.key, unshown.secretKey);
      assert.equal(await keyWorks(baseUrl, printed.key), 200);
      assert.equal(await keyWorks(baseUrl, unshown.secretKey), 401, 'the key nobody saw is revoked');
    } finally {
      await stop(next.child);
    }

    const later = startEchoSphere(env);
    try {
      await later.ready;
      assert.equal(printedKey(later.output()), undefined, 'once printed, the key is not replaced again');
    } finally {
      await stop(later.child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { OUTBOX_CHANNEL } from '../../core/webhooks/outbox.ts';
import { newId } from '../../core/ids.ts';
import { openTestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait-for.ts';
import { createEndpoint, createOrganization } from './fixtures.ts';
import { startReceiver } from './receiver.ts';

const EVENTS = 1000;
// A worker on the embedded engine takes seconds to start (WebAssembly, the data folder) and to deliver its first
// batch, so it is killed less often there; each kill still lands at a random moment of delivery.
const KILLS = process.env.TEST_DATABASE_URL ? 5 : 2;
const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-worker.ts');

test(`${EVENTS} events survive a worker killed with SIGKILL ${KILLS} times: each arrives at least once`, { timeout: 180_000 }, async () => {
  const receiver = await startReceiver();
  const encryptionKey = randomBytes(32);
  const secretBox = new SecretBox(encryptionKey);

  // PostgreSQL when configured; otherwise PGlite in a folder that one worker process at a time opens.
  const dataDir = process.env.TEST_DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-crash-'));
  const db = dataDir ? await Database.open({ dataDir }) : await openTestDatabase();
  if (dataDir) await db.migrate();
  const databaseUrl = (db as Database & { url?: string }).url;
  const orgId = await createOrganization(db, secretBox);
  await createEndpoint(db, secretBox, orgId, receiver.url('/crash'));
  const eventIds = Array.from({ length: EVENTS }, (_, i) => newId('event', Date.now() + i));
  await db.system(async (trx) => {
    await trx('events').insert(eventIds.map((id, i) => ({ id, org_id: orgId, type: 'session.created', data: JSON.stringify({ n: i }) })));
    await trx.raw('SELECT pg_notify(?, ?)', [OUTBOX_CHANNEL, eventIds[0]!]);
  });
  if (dataDir) await db.close();

  const env = {
    ...process.env,
    CRASH_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    ...(databaseUrl ? { CRASH_DATABASE_URL: databaseUrl } : { CRASH_DATA_DIR: dataDir! }),
  };
  // The delivery statuses the running worker last reported (see crash-worker.ts).
  let statuses: Record<string, number> = {};
  const startWorker = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'ready') resolve();
          if (line.startsWith('deliveries ')) statuses = JSON.parse(line.slice('deliveries '.length));
        }
      });
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    return child;
  };
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const distinct = () => new Set(receiver.received.map((request) => request.headers['webhook-id'])).size;

  try {
    for (let kill = 0; kill < KILLS && distinct() < EVENTS; kill++) {
      const child = await startWorker();
      const before = receiver.received.length;
      // Kill at a random moment once this worker is delivering (a bounded wait: a slow start is not a failure).
      await waitFor(() => receiver.received.length > before, 'worker to deliver', 30_000).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      child.kill('SIGKILL');
      await exited(child);
    }
    const last = await startWorker();
    await waitFor(() => distinct() === EVENTS, 'every event to arrive', 120_000);
    // Arrived is not yet recorded: a killed worker's last attempts stay pending until their leases run out and the
    // last worker delivers them again.
    await waitFor(() => statuses.succeeded === EVENTS && Object.keys(statuses).length === 1, 'every delivery to be recorded', 120_000);
    last.kill('SIGTERM');
    await exited(last);

    const received = receiver.received.length;
    console.log(`crash test: ${EVENTS} events, ${KILLS} SIGKILLs, ${received} requests received, ${received - EVENTS} duplicates`);
    assert.deepEqual(new Set(receiver.received.map((request) => request.headers['webhook-id'])), new Set(eventIds));
    assert.deepEqual(statuses, { succeeded: EVENTS });
  } finally {
    await receiver.close();
    if (!dataDir) await db.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

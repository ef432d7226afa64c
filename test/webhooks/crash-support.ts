import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { openTestDatabase } from '../support/database.ts';
import { startScriptProcess } from '../support/script-process.ts';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-worker.ts');

/**
 * The database the crash tests' webhook workers share: PostgreSQL when configured, otherwise PGlite in a folder that
 * one process at a time opens. `use` runs a step against it (on PGlite only while no worker runs); `env` is what a
 * worker (crash-worker.ts) needs to open it.
 */
export async function openCrashDatabase() {
  const encryptionKey = randomBytes(32);
  const secretBox = new SecretBox(encryptionKey);
  const dataDir = process.env.TEST_DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-crash-'));
  const server = dataDir ? undefined : await openTestDatabase();
  if (dataDir) {
    const db = await Database.open({ dataDir });
    await db.migrate();
    await db.close();
  }
  return {
    secretBox,
    /** On PostgreSQL a test database is many processes' at once; on PGlite the folder is free only between workers. */
    embedded: dataDir !== undefined,
    env: {
      CRASH_ENCRYPTION_KEY: encryptionKey.toString('base64'),
      ...(dataDir ? { CRASH_DATA_DIR: dataDir } : { CRASH_DATABASE_URL: server!.url! }),
    },
    async use<T>(step: (db: Database) => Promise<T>): Promise<T> {
      if (server) return step(server);
      const db = await Database.open({ dataDir });
      try {
        return await step(db);
      } finally {
        await db.close();
      }
    },
    async close() {
      await server?.close();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type CrashDatabase = Awaited<ReturnType<typeof openCrashDatabase>>;

/**
 * Starts crash-worker.ts and resolves once it delivers. `statuses()` is the count of deliveries by status it last
 * reported; `exited` settles when the process has ended, however.
 */
export async function startCrashWorker(database: CrashDatabase, env: NodeJS.ProcessEnv = {}) {
  const { child, exited } = startScriptProcess(workerScript, [], { ...database.env, ...env });
  let statuses: Record<string, number> = {};
  await new Promise<void>((resolve, reject) => {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') resolve();
        if (line.startsWith('deliveries ')) statuses = JSON.parse(line.slice('deliveries '.length));
      }
    });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return { child, exited, statuses: () => statuses };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { provisionOrganization } from '../../core/provisioning.ts';

/**
 * A freshly migrated database for one test file: a new database on the PostgreSQL server named by
 * TEST_DATABASE_URL (dropped again by `close`), or an in-memory PGlite when it is not set.
 */
export async function openTestDatabase(): Promise<Database & { url?: string }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await Database.open({});
    await db.migrate();
    return db;
  }
  const scratch = await createScratchDatabase(serverUrl, 'echosphere_test');
  const db = await Database.open({ url: scratch.url, poolMax: 20 });
  await db.migrate();
  const close = db.close.bind(db);
  return Object.assign(db, {
    url: scratch.url,
    close: async () => {
      await close();
      await scratch.drop();
    },
  });
}

/** A new, empty database on a PostgreSQL server (tests, benchmarks); `drop` removes it, connections and all. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A scratch database, migrated, with one organization: what `echosphere start` needs (`env`) to serve it, and the
 * organization's secret key to call it with.
 */
export async function createProvisionedDatabase(
  serverUrl: string,
  prefix: string,
  organizationName: string,
): Promise<{ env: NodeJS.ProcessEnv; secretKey: string; drop: () => Promise<void> }> {
  const scratch = await createScratchDatabase(serverUrl, prefix);
  const encryptionKey = randomBytes(32);
  const db = await Database.open({ url: scratch.url });
  try {
    await db.migrate();
    const { secretKey } = await provisionOrganization(db, new SecretBox(encryptionKey), organizationName);
    const env = { DATABASE_URL: scratch.url, ECHOSPHERE_ENCRYPTION_KEY: encryptionKey.toString('base64') };
    return { env, secretKey, drop: scratch.drop };
  } finally {
    await db.close();
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { provisionOrganization } from '../../core/provisioning.ts';

/**
 * A freshly migrated database for one test file: a new database on the PostgreSQL server named by `serverUrl`
 * (TEST_DATABASE_URL unless given), reached as its own ordinary user (see `createScratchDatabase`; dropped again by
 * `close`), or an in-memory PGlite when there is none.
 */
export async function openTestDatabase(serverUrl = process.env.TEST_DATABASE_URL): Promise<Database & { url?: string }> {
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

/** The ordinary role `openOrdinaryUserTestDatabase` connects as on PGlite. */
export const PGLITE_ORDINARY_USER = 'echosphere_owner';

/**
 * A migrated database whose connecting user is an ordinary role, as on a production server: on PostgreSQL that is
 * `openTestDatabase`; on PGlite, whose built-in user is a superuser, the session switches to a role with only
 * CREATEROLE and the right to create tables before migrating (SET SESSION AUTHORIZATION: PGlite has one connection).
 */
export async function openOrdinaryUserTestDatabase(): Promise<Database> {
  if (process.env.TEST_DATABASE_URL) return openTestDatabase();
  const db = await Database.open({});
  for (const statement of [
    `CREATE ROLE ${PGLITE_ORDINARY_USER} LOGIN CREATEROLE`,
    `GRANT CREATE ON SCHEMA public TO ${PGLITE_ORDINARY_USER}`,
    `SET SESSION AUTHORIZATION ${PGLITE_ORDINARY_USER}`,
  ]) {
    await db.knex.raw(statement);
  }
  await db.migrate();
  return db;
}

/**
 * A new, empty database on a PostgreSQL server (tests, benchmarks), reached as a login role of its own that owns it
 * and has nothing else but CREATEROLE, which the migrations need (docs/postgresql.md): so tests and benchmarks run
 * in the posture EchoSphere demands in production, not as the server's superuser. `serverUrl` must name an
 * administrator (it creates the role); `adminUrl` reaches the new database as that administrator. `drop` removes the
 * database, connections and all, and its role.
 */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; adminUrl: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  await adminQuery(serverUrl, [
    `CREATE ROLE ${name} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS PASSWORD '${password}'`,
    `CREATE DATABASE ${name} OWNER ${name}`,
  ]);
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = `/${name}`;
  const url = new URL(adminUrl);
  url.username = name;
  url.password = password;
  return {
    url: url.toString(),
    adminUrl: adminUrl.toString(),
    drop: () => adminQuery(serverUrl, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `DROP ROLE IF EXISTS ${name}`]),
  };
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

/** Statements one after another on one connection (CREATE/DROP DATABASE cannot share a transaction). */
async function adminQuery(serverUrl: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

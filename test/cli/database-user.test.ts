import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { Database } from '../../core/db/database.ts';
import { createScratchDatabase } from '../support/database.ts';
import { postgresTestServer } from '../support/services.ts';
import { exitCode, startEchoSphere } from './start-process.ts';

// Database users and their privileges need a real PostgreSQL server, whatever database the suite runs on.
const { service: postgres, skip } = postgresTestServer();
const encryptionKey = randomBytes(32).toString('base64');
/** The server's URL names its administrator, a superuser. */
const administrator = postgres ? decodeURIComponent(new URL(postgres.url).username) : '';

/** A scratch database, its own ordinary user's name, and a statement runner as the server's administrator. */
async function scratchDatabase(prefix: string) {
  const scratch = await createScratchDatabase(postgres!.url, prefix);
  const asAdmin = async (sql: string) => {
    const client = new pg.Client({ connectionString: scratch.adminUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return { ...scratch, user: new URL(scratch.url).username, asAdmin };
}

test('start-up as a superuser is refused, naming the problem and the fix, before anything is migrated', { skip, timeout: 60_000 }, async () => {
  const database = await scratchDatabase('echosphere_superuser');
  const start = startEchoSphere({ DATABASE_URL: database.adminUrl, ECHOSPHERE_ENCRYPTION_KEY: encryptionKey });
  try {
    await assert.rejects(start.ready, new RegExp(`Refusing to start: the database user "${administrator}" is a superuser`));
    assert.equal(await exitCode(start.child), 2);
    assert.match(start.output(), /Fix: connect \(DATABASE_URL\) as an ordinary role .*NOSUPERUSER, NOBYPASSRLS/);
    assert.match(start.output(), /ECHOSPHERE_ALLOW_SUPERUSER_DATABASE=true/);
    assert.deepEqual(await database.asAdmin(`SELECT to_regclass('knex_migrations') AS migrations`), [{ migrations: null }]);
  } finally {
    start.child.kill();
    await database.drop();
  }
});

test('with ECHOSPHERE_ALLOW_SUPERUSER_DATABASE a superuser may start, and every start warns', { skip, timeout: 120_000 }, async () => {
  const database = await scratchDatabase('echosphere_superuser');
  let server: ReturnType<typeof startEchoSphere> | undefined;
  try {
    for (const round of [1, 2]) {
      server = startEchoSphere({
        DATABASE_URL: database.adminUrl,
        ECHOSPHERE_ENCRYPTION_KEY: encryptionKey,
        ECHOSPHERE_ALLOW_SUPERUSER_DATABASE: 'true',
        ECHOSPHERE_ROLES: 'api',
      });
      await server.ready;
      const warning = server
        .output()
        .split('\n')
        .find((line) => line.includes('ROW-LEVEL SECURITY IS NOT ENFORCED'));
      assert.ok(warning, `start ${round} warned:\n${server.output()}`);
      const entry = JSON.parse(warning) as { level: string; message: string };
      assert.equal(entry.level, 'warn');
      assert.match(entry.message, new RegExp(`the database user "${administrator}" is a superuser`));
      const stopped = exitCode(server.child);
      server.child.kill('SIGTERM');
      assert.equal(await stopped, 0);
    }
  } finally {
    server?.child.kill();
    await database.drop();
  }
});

test('a user with BYPASSRLS is refused as well', { skip, timeout: 60_000 }, async () => {
  const database = await scratchDatabase('echosphere_bypassrls');
  let start: ReturnType<typeof startEchoSphere> | undefined;
  try {
    await database.asAdmin(`ALTER ROLE ${database.user} BYPASSRLS`);
    start = startEchoSphere({ DATABASE_URL: database.url, ECHOSPHERE_ENCRYPTION_KEY: encryptionKey });
    await assert.rejects(start.ready, new RegExp(`Refusing to start: the database user "${database.user}" has BYPASSRLS`));
    assert.equal(await exitCode(start.child), 2);
  } finally {
    start?.child.kill();
    await database.drop();
  }
});

test('a user that inherits the tenant roles again after migrating is refused with the statement that fixes it', { skip, timeout: 60_000 }, async () => {
  const database = await scratchDatabase('echosphere_inherits');
  let start: ReturnType<typeof startEchoSphere> | undefined;
  try {
    const db = await Database.open({ url: database.url });
    await db.migrate().finally(() => db.close());
    const [{ version }] = (await database.asAdmin(`SELECT current_setting('server_version_num')::int AS version`)) as [{ version: number }];
    await database.asAdmin(
      version >= 160000
        ? `GRANT echosphere_app, echosphere_system TO ${database.user} WITH INHERIT TRUE`
        : `ALTER ROLE ${database.user} INHERIT`,
    );
    start = startEchoSphere({ DATABASE_URL: database.url, ECHOSPHERE_ENCRYPTION_KEY: encryptionKey });
    await assert.rejects(start.ready, new RegExp(`the database user "${database.user}" inherits echosphere_app, echosphere_system`));
    assert.equal(await exitCode(start.child), 2);
    assert.match(start.output(), version >= 160000 ? /WITH INHERIT FALSE/ : new RegExp(`ALTER ROLE "${database.user}" NOINHERIT`));
  } finally {
    start?.child.kill();
    await database.drop();
  }
});

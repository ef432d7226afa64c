import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { runEchoSphere } from '../cli/start-process.ts';
import { postgresTestServer } from '../support/services.ts';
import { DOCKER_DIR } from './compose-file.ts';

// The PostgreSQL container's first-start script runs against a real server, whatever database the suite runs on.
const { service: postgres, skip } = postgresTestServer();
const run = promisify(execFile);

async function asAdministrator<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres!.url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

test('the first-start script creates a user EchoSphere accepts, and echosphere migrate runs as it', { skip, timeout: 120_000 }, async () => {
  const server = new URL(postgres!.url);
  const name = `echosphere_compose_${randomBytes(4).toString('hex')}`;
  // Quotes and a backslash: the script must pass the password as data, never as SQL.
  const password = `pw'"\\${randomBytes(6).toString('hex')}`;
  try {
    // As the postgres image runs it: psql as POSTGRES_USER, who is the server's administrator.
    await run('sh', [path.join(DOCKER_DIR, 'postgres/create-echosphere-database.sh')], {
      env: {
        PATH: process.env.PATH,
        PGHOST: server.hostname,
        PGPORT: server.port || '5432',
        PGPASSWORD: decodeURIComponent(server.password),
        POSTGRES_USER: decodeURIComponent(server.username),
        POSTGRES_DB: server.pathname.slice(1) || 'postgres',
        ECHOSPHERE_DB_USER: name,
        ECHOSPHERE_DB_NAME: name,
        ECHOSPHERE_DB_PASSWORD: password,
      },
    });
    const [role] = await asAdministrator<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; owner: string }>(
      `SELECT rolsuper, rolbypassrls, rolcreaterole, (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS owner
         FROM pg_roles WHERE rolname = $1`,
      [name],
    );
    assert.deepEqual(role, { rolsuper: false, rolbypassrls: false, rolcreaterole: true, owner: name });

    // What the migrate service runs, with the DATABASE_URL compose.yaml builds for it.
    const url = new URL(postgres!.url);
    url.username = name;
    url.password = encodeURIComponent(password);
    url.pathname = `/${name}`;
    const migrate = await runEchoSphere(['migrate'], { DATABASE_URL: url.toString(), ECHOSPHERE_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.equal(migrate.stdout, 'Database is up to date.\n');
    assert.doesNotMatch(migrate.stdout + migrate.stderr, /ROW-LEVEL SECURITY IS NOT ENFORCED/);
  } finally {
    await asAdministrator(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await asAdministrator(`DROP ROLE IF EXISTS ${name}`);
  }
});

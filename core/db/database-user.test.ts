import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openOrdinaryUserTestDatabase, PGLITE_ORDINARY_USER as user } from '../../test/support/database.ts';
import { ConfigError } from '../config.ts';
import { checkTenantRolesNotInherited } from './database-user.ts';

// PostgreSQL 16 and newer keep inheritance per grant. PGlite is one of them, so these run without a server; the
// checks as a whole, against a PostgreSQL server and the real start-up, are in test/cli/database-user.test.ts.

test('after the migrations the connecting user inherits neither tenant role', async () => {
  const db = await openOrdinaryUserTestDatabase();
  try {
    await checkTenantRolesNotInherited(db);
  } finally {
    await db.close();
  }
});

test('a grant that brings inheritance back is refused, with the query that finds it and the grant that fixes it', { skip: !!process.env.TEST_DATABASE_URL && 'runs on PGlite' }, async () => {
  const db = await openOrdinaryUserTestDatabase();
  try {
    const [version] = (await db.knex.raw(`SELECT current_setting('server_version_num')::int AS number`)).rows;
    assert.ok(version.number >= 160000, 'PGlite is PostgreSQL 16 or newer');
    await db.knex.raw('RESET SESSION AUTHORIZATION');
    await db.knex.raw(`GRANT echosphere_system TO ${user} WITH INHERIT TRUE`);
    await db.knex.raw(`SET SESSION AUTHORIZATION ${user}`);
    await assert.rejects(checkTenantRolesNotInherited(db), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, new RegExp(`the database user "${user}" inherits echosphere_system,`));
      assert.match(error.message, new RegExp(`GRANT <role> TO "${user}" WITH INHERIT FALSE, SET TRUE GRANTED BY <grantor>`));
      assert.match(error.message, new RegExp(`FROM pg_auth_members WHERE member = '${user}'::regrole AND inherit_option`));
      return true;
    });
  } finally {
    await db.close();
  }
});

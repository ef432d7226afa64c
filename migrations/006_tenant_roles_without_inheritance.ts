import type { Knex } from 'knex';

/**
 * The connecting user stays a member of `echosphere_app` and `echosphere_system` (a transaction's `SET LOCAL ROLE`
 * needs that) but stops inheriting them, so outside such a transaction it has no policy of its own and FORCE
 * row-level security shows it no row of any tenant table. 001 granted both roles with inheritance, which let a query
 * that chose no role read every organization through `system_access`.
 *
 * PostgreSQL 16 made inheritance a property of each grant (`GRANT … WITH INHERIT FALSE`); up to 15 the member's
 * INHERIT attribute decides for all of its memberships, so there the connecting role becomes NOINHERIT (it owns its
 * tables and needs no privilege inherited from any role). One privilege it does inherit there: CREATE on the schema,
 * which PostgreSQL 15 gives the database owner through the implicit role `pg_database_owner`; so it is first granted
 * to the user directly, or later migrations could not create tables. A superuser bypasses row-level security whatever it
 * inherits — PGlite's built-in user, or a server user let through by ECHOSPHERE_ALLOW_SUPERUSER_DATABASE — so it is
 * left alone rather than have a cluster's admin role altered.
 */
export async function up(knex: Knex): Promise<void> {
  await setInheritance(knex, false);
}

export async function down(knex: Knex): Promise<void> {
  await setInheritance(knex, true);
}

async function setInheritance(knex: Knex, inherit: boolean): Promise<void> {
  const grantOption = inherit ? 'TRUE' : 'FALSE';
  const roleAttribute = inherit ? 'INHERIT' : 'NOINHERIT';
  await knex.raw(`
    DO $$ BEGIN
      IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
      END IF;
      IF current_setting('server_version_num')::int >= 160000 THEN
        EXECUTE 'GRANT echosphere_app, echosphere_system TO CURRENT_USER WITH INHERIT ${grantOption}, SET TRUE';
      ELSIF (SELECT rolinherit FROM pg_roles WHERE rolname = current_user) = ${inherit} THEN
        RETURN;
      ELSIF NOT (SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'the database user % needs CREATEROLE to change its own INHERIT attribute', current_user
          USING HINT = format('As an administrator run: ALTER ROLE %I ${roleAttribute}; (or grant it CREATEROLE) and migrate again', current_user);
      ELSE
        IF NOT ${inherit} AND (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = current_schema()) = 'pg_database_owner' THEN
          EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO CURRENT_USER', current_schema());
        END IF;
        ALTER ROLE CURRENT_USER ${roleAttribute};
      END IF;
    END $$;
  `);
}

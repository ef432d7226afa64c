import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database } from './database.ts';

/** The setting that lets EchoSphere run as a database user row-level security does not apply to. */
const ALLOW_PRIVILEGED_SETTING = 'ECHOSPHERE_ALLOW_SUPERUSER_DATABASE';

/**
 * How far row-level security holds for the user EchoSphere connects as:
 * - `embedded`: PGlite runs as its own built-in superuser. It lives inside this one process and no other user or
 *   process can connect to it, so there is no second user to confine; tenant transactions still switch to the
 *   RLS-limited roles, which is what keeps tenants apart there.
 * - `privileged`: a superuser or BYPASSRLS user, let through by `ECHOSPHERE_ALLOW_SUPERUSER_DATABASE`.
 * - `confined`: an ordinary user that row-level security applies to, as it should be.
 */
export type DatabaseUserPosture = 'embedded' | 'privileged' | 'confined';

/**
 * Refuses a PostgreSQL user that row-level security does not apply to (superuser or BYPASSRLS): behind such a user a
 * query missing its organization filter reads every organization. With the override it warns instead, every start.
 * Runs before the migrations, so a refused user creates nothing.
 */
export async function checkDatabaseUser(db: Database, options: { allowPrivileged: boolean; logger: Logger }): Promise<DatabaseUserPosture> {
  if (db.dialect === 'pglite') return 'embedded';
  const result = await db.knex.raw<{ rows: { name: string; superuser: boolean; bypass_rls: boolean }[] }>(
    `SELECT rolname AS name, rolsuper AS superuser, rolbypassrls AS bypass_rls FROM pg_roles WHERE rolname = current_user`,
  );
  const user = result.rows[0]!;
  const privileges = [user.superuser && 'is a superuser', user.bypass_rls && 'has BYPASSRLS'].filter(Boolean).join(' and ');
  if (!privileges) return 'confined';
  const problem = `the database user "${user.name}" ${privileges}, so PostgreSQL's row-level security does not apply to it`;
  if (options.allowPrivileged) {
    options.logger.warn(
      `ROW-LEVEL SECURITY IS NOT ENFORCED: ${problem}. Only the application's own organization filters keep tenants apart. ` +
        `${ALLOW_PRIVILEGED_SETTING}=true allows this; connect as an ordinary database user instead (docs/postgresql.md).`,
      { database_user: user.name, superuser: user.superuser, bypass_rls: user.bypass_rls },
    );
    return 'privileged';
  }
  throw new ConfigError(
    `Refusing to start: ${problem}, and a query that misses its organization filter would read every organization's data.\n` +
      `  Fix: connect (DATABASE_URL) as an ordinary role that owns the database: LOGIN CREATEROLE, NOSUPERUSER, NOBYPASSRLS ` +
      `(docs/postgresql.md shows the statements).\n` +
      `  To run anyway, set ${ALLOW_PRIVILEGED_SETTING}=true; every start will then warn.`,
  );
}

/**
 * Refuses a confined user that inherits a tenant role: it would see that role's rows without choosing it. The
 * migrations grant the roles without inheritance; a later grant by an administrator can bring it back.
 */
export async function checkTenantRolesNotInherited(db: Database): Promise<void> {
  const result = await db.knex.raw<{ rows: { name: string; role: string; version: number }[] }>(
    `SELECT current_user AS name, rolname AS role, current_setting('server_version_num')::int AS version
       FROM pg_roles WHERE rolname IN ('echosphere_app', 'echosphere_system') AND pg_has_role(current_user, oid, 'USAGE')
       ORDER BY rolname`,
  );
  if (result.rows.length === 0) return;
  const { name, version } = result.rows[0]!;
  const roles = result.rows.map((row) => row.role).join(', ');
  const fix =
    version >= 160000
      ? `GRANT <role> TO "${name}" WITH INHERIT FALSE, SET TRUE GRANTED BY <grantor>\` for each row of ` +
        `\`SELECT roleid::regrole, grantor::regrole FROM pg_auth_members WHERE member = '${name}'::regrole AND inherit_option`
      : `ALTER ROLE "${name}" NOINHERIT`;
  throw new ConfigError(
    `Refusing to start: the database user "${name}" inherits ${roles}, so a query that chooses no role sees its rows ` +
      `without any organization being set.\n  Fix: as an administrator run \`${fix}\` (docs/postgresql.md).`,
  );
}

import type { Knex } from 'knex';

/**
 * `organizations.live_sessions` counts the sessions holding a concurrency slot (created or active), kept by a trigger
 * on every insert, status change and delete of a session, so no code path can forget it. Checking the limit on
 * session create is then one row read under the organization's lock instead of a count over all its live sessions,
 * which grew with traffic and serialised creates behind it.
 *
 * A created session whose stream token expired can never connect: it ends as `never-connected` (see
 * `createSessionWithinLimit` and the retention sweep), which frees its slot. The partial index finds those.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `ALTER TABLE organizations ADD COLUMN live_sessions integer NOT NULL DEFAULT 0`,
    `CREATE FUNCTION sessions_count_live() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       was_live boolean := TG_OP <> 'INSERT' AND OLD.status IN ('created', 'active');
       is_live boolean := TG_OP <> 'DELETE' AND NEW.status IN ('created', 'active');
     BEGIN
       IF is_live AND NOT was_live THEN
         UPDATE organizations SET live_sessions = live_sessions + 1 WHERE id = NEW.org_id;
       ELSIF was_live AND NOT is_live THEN
         UPDATE organizations SET live_sessions = live_sessions - 1 WHERE id = OLD.org_id;
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER sessions_count_live AFTER INSERT OR DELETE OR UPDATE OF status ON sessions
       FOR EACH ROW EXECUTE FUNCTION sessions_count_live()`,
    `CREATE INDEX sessions_unconnected_expiry ON sessions (org_id, stream_token_expires_at) WHERE status = 'created'`,
    // It served the count this replaces, and would now tempt the planner away from the index above.
    `DROP INDEX sessions_live`,
    `UPDATE sessions SET status = 'ended', ended_reason = 'never-connected', ended_at = stream_token_expires_at
       WHERE status = 'created' AND stream_token_expires_at <= now()`,
    `UPDATE organizations SET live_sessions = (
       SELECT count(*) FROM sessions WHERE sessions.org_id = organizations.id AND status IN ('created', 'active')
     )`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS sessions_count_live ON sessions');
  await knex.raw('DROP FUNCTION IF EXISTS sessions_count_live()');
  await knex.raw('DROP INDEX IF EXISTS sessions_unconnected_expiry');
  await knex.raw(`CREATE INDEX IF NOT EXISTS sessions_live ON sessions (org_id) WHERE status IN ('created', 'active')`);
  await knex.raw('ALTER TABLE organizations DROP COLUMN IF EXISTS live_sessions');
}

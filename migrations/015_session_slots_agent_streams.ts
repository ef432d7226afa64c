import type { Knex } from 'knex';

/**
 * An organization's concurrency limit as slot rows (`session_slots`): a live session (created or active) holds one
 * slot, taken in the transaction that inserts it and freed by a trigger when it ends or is deleted. A create locks
 * one free slot with `FOR UPDATE SKIP LOCKED`, so racing creates take different slots side by side and commit
 * together; the counter this replaces (`organizations.live_sessions`, migration 005) put every create of an
 * organization behind one row lock held until its commit was flushed to disk, which capped one organization at one
 * commit flush per create.
 *
 * Slots are numbered from 1 and made as they are needed (doubling, up to the limit): an organization with a high limit
 * and few sessions keeps few rows. Slots above a lowered limit are never taken again.
 *
 * Agent processes that run WebSocket sessions for api processes elsewhere register the address they serve session
 * streams on (`agent_processes.stream_url`) and how many sessions they run (`live_sessions`, refreshed with each
 * heartbeat), so an api process can hand a customer's connection to a live, little-loaded one.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE TABLE session_slots (
       org_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
       slot integer NOT NULL CHECK (slot > 0),
       session_id text,
       PRIMARY KEY (org_id, slot)
     )`,
    `CREATE UNIQUE INDEX session_slots_session ON session_slots (session_id) WHERE session_id IS NOT NULL`,
    `CREATE INDEX session_slots_free ON session_slots (org_id, slot) WHERE session_id IS NULL`,
    `ALTER TABLE session_slots ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE session_slots FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON session_slots TO echosphere_app
       USING (org_id = current_setting('app.org_id', true))
       WITH CHECK (org_id = current_setting('app.org_id', true))`,
    `CREATE POLICY system_access ON session_slots TO echosphere_system USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON session_slots TO echosphere_app, echosphere_system`,
    `CREATE FUNCTION sessions_free_slot() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF OLD.status IN ('created', 'active') AND (TG_OP = 'DELETE' OR NEW.status NOT IN ('created', 'active')) THEN
         UPDATE session_slots SET session_id = NULL WHERE session_id = OLD.id;
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER sessions_free_slot AFTER DELETE OR UPDATE OF status ON sessions
       FOR EACH ROW EXECUTE FUNCTION sessions_free_slot()`,
    `INSERT INTO session_slots (org_id, slot, session_id)
       SELECT org_id, row_number() OVER (PARTITION BY org_id ORDER BY created_at, id), id
       FROM sessions WHERE status IN ('created', 'active')`,
    'DROP TRIGGER sessions_count_live ON sessions',
    'DROP FUNCTION sessions_count_live()',
    'ALTER TABLE organizations DROP COLUMN live_sessions',
    'ALTER TABLE agent_processes ADD COLUMN stream_url text',
    'ALTER TABLE agent_processes ADD COLUMN live_sessions integer NOT NULL DEFAULT 0',
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  const statements = [
    'ALTER TABLE agent_processes DROP COLUMN IF EXISTS live_sessions',
    'ALTER TABLE agent_processes DROP COLUMN IF EXISTS stream_url',
    'DROP TRIGGER IF EXISTS sessions_free_slot ON sessions',
    'DROP FUNCTION IF EXISTS sessions_free_slot()',
    'DROP TABLE IF EXISTS session_slots',
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
    `UPDATE organizations SET live_sessions = (
       SELECT count(*) FROM sessions WHERE sessions.org_id = organizations.id AND status IN ('created', 'active'))`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

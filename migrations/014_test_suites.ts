import type { Knex } from 'knex';

/**
 * Test suites and their runs. A suite holds its scenarios as one JSON document (they are edited, replaced and read
 * together); a run keeps the scenarios it ran and a result per scenario, so its report stays as it was when the suite
 * changes or goes. `sessions.source` tells the sessions a run plays (`test`) from the ones customers start, so usage,
 * billing and the default session list can leave them out. Tenant tables under the same row-level security as every other.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE TABLE test_suites (
       id text PRIMARY KEY,
       org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
       name text NOT NULL,
       description text,
       scenarios jsonb NOT NULL DEFAULT '[]',
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX test_suites_org ON test_suites (org_id, id)`,
    `CREATE TABLE test_runs (
       id text PRIMARY KEY,
       org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
       suite_id text NOT NULL,
       assistant_id text NOT NULL,
       assistant_patch jsonb,
       scenarios jsonb NOT NULL,
       concurrency integer NOT NULL CHECK (concurrency BETWEEN 1 AND 8),
       status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
       results jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       started_at timestamptz,
       completed_at timestamptz
     )`,
    `CREATE INDEX test_runs_org ON test_runs (org_id, id)`,
    `CREATE INDEX test_runs_suite ON test_runs (org_id, suite_id, id)`,
    `CREATE INDEX test_runs_assistant ON test_runs (org_id, assistant_id, id)`,
    `CREATE INDEX test_runs_unfinished ON test_runs (created_at) WHERE status IN ('queued', 'running')`,
    `ALTER TABLE sessions ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'dashboard', 'test'))`,
  ];
  for (const table of ['test_suites', 'test_runs']) {
    statements.push(
      `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_isolation ON ${table} TO echosphere_app
         USING (org_id = current_setting('app.org_id', true))
         WITH CHECK (org_id = current_setting('app.org_id', true))`,
      `CREATE POLICY system_access ON ${table} TO echosphere_system USING (true) WITH CHECK (true)`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO echosphere_app, echosphere_system`,
    );
  }
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS test_runs');
  await knex.raw('DROP TABLE IF EXISTS test_suites');
  await knex.raw('ALTER TABLE sessions DROP COLUMN IF EXISTS source');
}

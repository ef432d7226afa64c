import type { Knex } from 'knex';

/**
 * Evaluations: one row per run of a session's analysis (the first when the session ends, more when it is re-run), so
 * earlier results stay as history. `analysis` is the configuration the run used; the result is written once, when
 * the run leaves `pending`/`running`. Tenant rows, under the same row-level security as every other.
 * Assistants saved before `analysis` existed get it as null, so every stored assistant has the field.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE TABLE evaluations (
       id text PRIMARY KEY,
       org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
       session_id text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
       assistant_id text NOT NULL,
       status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped')),
       analysis jsonb NOT NULL,
       summary text,
       structured_data jsonb,
       scores jsonb NOT NULL DEFAULT '[]',
       overall_score double precision,
       passed boolean,
       judge jsonb,
       usage jsonb,
       error text,
       skipped_reason text,
       created_at timestamptz NOT NULL DEFAULT now(),
       started_at timestamptz,
       completed_at timestamptz
     )`,
    `CREATE INDEX evaluations_session ON evaluations (org_id, session_id, id)`,
    `CREATE INDEX evaluations_assistant_completed ON evaluations (org_id, assistant_id, completed_at) WHERE status = 'completed'`,
    `CREATE INDEX evaluations_unfinished ON evaluations (created_at) WHERE status IN ('pending', 'running')`,
    `ALTER TABLE evaluations ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE evaluations FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON evaluations TO echosphere_app
       USING (org_id = current_setting('app.org_id', true))
       WITH CHECK (org_id = current_setting('app.org_id', true))`,
    `CREATE POLICY system_access ON evaluations TO echosphere_system USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON evaluations TO echosphere_app, echosphere_system`,
    `UPDATE assistants SET config = config || '{"analysis": null}'::jsonb WHERE config->'analysis' IS NULL`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS evaluations');
  await knex.raw(`UPDATE assistants SET config = config - 'analysis'`);
}

import type { Knex } from 'knex';

/**
 * Recordings: the sample layout a recording was made with, an index for the retention sweep, and the `jobs` table
 * behind the database job queue (core/queue/database-queue.ts) — used where pg-boss cannot run (embedded PGlite).
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `ALTER TABLE recordings ADD COLUMN sample_rate_hz integer`,
    `ALTER TABLE recordings ADD COLUMN channels integer`,
    `CREATE INDEX recordings_status_created ON recordings (status, created_at)`,
    `CREATE TABLE jobs (
      id bigserial PRIMARY KEY,
      queue text NOT NULL,
      data jsonb NOT NULL,
      singleton_key text,
      state text NOT NULL CHECK (state IN ('queued', 'active', 'completed', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      run_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX jobs_due ON jobs (queue, run_at) WHERE state IN ('queued', 'active')`,
    // At most one live job per singleton key: enqueueing the same work twice is a no-op.
    `CREATE UNIQUE INDEX jobs_singleton ON jobs (queue, singleton_key) WHERE singleton_key IS NOT NULL AND state IN ('queued', 'active')`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO echosphere_system`,
    `GRANT USAGE ON SEQUENCE jobs_id_seq TO echosphere_system`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('jobs');
  await knex.raw('DROP INDEX IF EXISTS recordings_status_created');
  await knex.raw('ALTER TABLE recordings DROP COLUMN IF EXISTS sample_rate_hz, DROP COLUMN IF EXISTS channels');
}

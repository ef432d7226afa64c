import type { Knex } from 'knex';

/**
 * The worker running a test run holds it with a lease (`lease_owner`, until `lease_expires_at`), renewed while it
 * plays: a run whose worker died is taken over once the lease has run out, and only by one worker; a worker that lost
 * its lease writes nothing more. Runs with no lease (queued, or from before this migration) are free to take.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE test_runs ADD COLUMN lease_owner text, ADD COLUMN lease_expires_at timestamptz');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE test_runs DROP COLUMN IF EXISTS lease_owner, DROP COLUMN IF EXISTS lease_expires_at');
}

import type { Knex } from 'knex';

/** `skipped`: a recording with nothing to play (no audio reached it), final like `failed` but not an error. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE recordings DROP CONSTRAINT recordings_status_check');
  await knex.raw(`ALTER TABLE recordings ADD CONSTRAINT recordings_status_check
    CHECK (status IN ('recording', 'processing', 'ready', 'failed', 'skipped', 'deleted'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE recordings SET status = 'failed' WHERE status = 'skipped'`);
  await knex.raw('ALTER TABLE recordings DROP CONSTRAINT recordings_status_check');
  await knex.raw(`ALTER TABLE recordings ADD CONSTRAINT recordings_status_check
    CHECK (status IN ('recording', 'processing', 'ready', 'failed', 'deleted'))`);
}

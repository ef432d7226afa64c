import type { Knex } from 'knex';

/**
 * `api_keys.expires_at`: a key that stops authenticating at that moment (null: never). The dashboard's sign-in link
 * mints such a key, so every use of the link no longer leaves a permanent secret key behind.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE api_keys ADD COLUMN expires_at timestamptz');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE api_keys DROP COLUMN IF EXISTS expires_at');
}

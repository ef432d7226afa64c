import type { Knex } from 'knex';

/**
 * `api_keys.plaintext_shown`: whether the key's plaintext ever reached anyone. Keys made over the API or the command
 * line are shown as they are made, so that is the default (and true of every key before this column). The first start
 * creates the default organization's key unshown and marks it once the welcome text has printed it; a start that
 * finds the organization with no other secret key than unshown ones replaces them with a key it prints.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE api_keys ADD COLUMN plaintext_shown boolean NOT NULL DEFAULT true');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE api_keys DROP COLUMN IF EXISTS plaintext_shown');
}

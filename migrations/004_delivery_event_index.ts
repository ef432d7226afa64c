import type { Knex } from 'knex';

/** Deleting an old event cascades to its deliveries by `event_id` alone; without this index each one scans the table. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS webhook_deliveries_event ON webhook_deliveries (event_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS webhook_deliveries_event');
}

import type { Knex } from 'knex';

/**
 * Webhook delivery bookkeeping. An event is fanned out to its endpoints once (`webhooks_fanned_out_at`, set in the
 * same transaction that inserts its deliveries); a delivery is claimed by a worker with a lease (`lease_id` and a
 * `next_attempt_at` pushed past the attempt's timeout), so a crashed worker's claims simply come due again.
 */
export async function up(knex: Knex): Promise<void> {
  for (const statement of [
    'ALTER TABLE events ADD COLUMN webhooks_fanned_out_at timestamptz',
    'CREATE INDEX events_awaiting_fanout ON events (id) WHERE webhooks_fanned_out_at IS NULL',
    'CREATE INDEX events_org_type ON events (org_id, type, id)',
    'CREATE INDEX events_org_session ON events (org_id, session_id, id)',
    'ALTER TABLE webhook_deliveries ADD COLUMN lease_id text',
    'ALTER TABLE webhook_deliveries ADD COLUMN failure_reason text',
    'CREATE INDEX webhook_deliveries_event ON webhook_deliveries (org_id, event_id)',
    'ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz',
  ]) {
    await knex.raw(statement);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of [
    'ALTER TABLE webhook_endpoints DROP COLUMN disabled_at',
    'DROP INDEX webhook_deliveries_event',
    'ALTER TABLE webhook_deliveries DROP COLUMN failure_reason',
    'ALTER TABLE webhook_deliveries DROP COLUMN lease_id',
    'DROP INDEX events_org_session',
    'DROP INDEX events_org_type',
    'DROP INDEX events_awaiting_fanout',
    'ALTER TABLE events DROP COLUMN webhooks_fanned_out_at',
  ]) {
    await knex.raw(statement);
  }
}

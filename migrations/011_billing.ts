import type { Knex } from 'knex';

/**
 * Usage, cost and billing. A session's cost is stored on it at its end, and each priced line of it becomes a
 * `usage_records` row in that same transaction; `meter_reports` holds, per charged session, the meter event still
 * owed to Stripe (durable until reported). Organizations gain the operator's price override, their Stripe customer
 * and the billing status Stripe's webhooks keep.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `ALTER TABLE sessions ADD COLUMN cost jsonb`,
    `ALTER TABLE organizations ADD COLUMN price_overrides jsonb`,
    `ALTER TABLE organizations ADD COLUMN stripe_customer_id text UNIQUE`,
    `ALTER TABLE organizations ADD COLUMN billing_status text NOT NULL DEFAULT 'active' CHECK (billing_status IN ('active', 'past_due', 'canceled'))`,
    // When Stripe created the event that set the status: an older event delivered late does not undo a newer one.
    `ALTER TABLE organizations ADD COLUMN billing_status_at timestamptz`,
    `ALTER TABLE usage_records
       ADD COLUMN assistant_id text,
       ADD COLUMN provider text NOT NULL DEFAULT '',
       ADD COLUMN model text,
       ADD COLUMN unit text NOT NULL DEFAULT '',
       ADD COLUMN price_unit text NOT NULL DEFAULT '',
       ADD COLUMN price_unit_size bigint NOT NULL DEFAULT 1,
       ADD COLUMN unit_price_micro_usd bigint NOT NULL DEFAULT 0,
       ADD COLUMN cost_micro_usd bigint NOT NULL DEFAULT 0`,
    // One row per line of a session's cost: charging a session twice is impossible, not merely avoided.
    `CREATE UNIQUE INDEX usage_records_session_line ON usage_records (session_id, metric, provider)`,
    `CREATE TABLE meter_reports (
       session_id text PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
       org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
       value_micro_usd bigint NOT NULL,
       occurred_at timestamptz NOT NULL,
       status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reported')),
       enqueued_at timestamptz,
       attempts integer NOT NULL DEFAULT 0,
       last_error text,
       reported_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX meter_reports_pending ON meter_reports (enqueued_at NULLS FIRST) WHERE status = 'pending'`,
    `ALTER TABLE meter_reports ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE meter_reports FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON meter_reports TO echosphere_app
       USING (org_id = current_setting('app.org_id', true)) WITH CHECK (org_id = current_setting('app.org_id', true))`,
    `CREATE POLICY system_access ON meter_reports TO echosphere_system USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON meter_reports TO echosphere_app, echosphere_system`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('meter_reports');
  await knex.raw('DROP INDEX IF EXISTS usage_records_session_line');
  await knex.raw(`ALTER TABLE usage_records DROP COLUMN IF EXISTS assistant_id, DROP COLUMN IF EXISTS provider, DROP COLUMN IF EXISTS model,
    DROP COLUMN IF EXISTS unit, DROP COLUMN IF EXISTS price_unit, DROP COLUMN IF EXISTS price_unit_size,
    DROP COLUMN IF EXISTS unit_price_micro_usd, DROP COLUMN IF EXISTS cost_micro_usd`);
  await knex.raw(`ALTER TABLE organizations DROP COLUMN IF EXISTS price_overrides, DROP COLUMN IF EXISTS stripe_customer_id,
    DROP COLUMN IF EXISTS billing_status, DROP COLUMN IF EXISTS billing_status_at`);
  await knex.raw('ALTER TABLE sessions DROP COLUMN IF EXISTS cost');
}

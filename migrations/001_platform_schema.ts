import type { Knex } from 'knex';

/** Tables whose rows belong to one organization; each gets FORCE row-level security keyed on `org_id`. */
export const TENANT_TABLES = [
  'api_keys',
  'provider_credentials',
  'assistants',
  'sessions',
  'messages',
  'recordings',
  'events',
  'webhook_endpoints',
  'webhook_deliveries',
  'usage_records',
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'echosphere_app') THEN
        CREATE ROLE echosphere_app NOLOGIN NOBYPASSRLS;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'echosphere_system') THEN
        CREATE ROLE echosphere_system NOLOGIN NOBYPASSRLS;
      END IF;
    END $$;
  `);
  // The connecting user switches into these roles per transaction (SET LOCAL ROLE), so it must be a member.
  await knex.raw('GRANT echosphere_app, echosphere_system TO CURRENT_USER');

  await runStatements(knex, `
    CREATE TABLE organizations (
      id text PRIMARY KEY,
      name text NOT NULL,
      settings jsonb NOT NULL DEFAULT '{}',
      tool_signing_secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE api_keys (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      type text NOT NULL CHECK (type IN ('secret', 'public')),
      name text NOT NULL,
      display_prefix text NOT NULL,
      hash bytea NOT NULL UNIQUE,
      allowed_assistant_ids jsonb,
      allowed_origins jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_keys_org ON api_keys (org_id, id);

    CREATE TABLE provider_credentials (
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      provider text NOT NULL,
      sealed_api_key text NOT NULL,
      api_key_last4 text NOT NULL,
      base_url text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, provider)
    );

    CREATE TABLE assistants (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      config jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX assistants_org ON assistants (org_id, id);

    CREATE TABLE sessions (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      assistant_id text NOT NULL,
      assistant jsonb NOT NULL,
      transport text NOT NULL CHECK (transport IN ('websocket', 'livekit')),
      status text NOT NULL CHECK (status IN ('created', 'active', 'ended', 'failed')),
      ended_reason text,
      audio jsonb NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      stream_token_hash bytea UNIQUE,
      stream_token_expires_at timestamptz,
      usage jsonb,
      latency jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz
    );
    CREATE INDEX sessions_org ON sessions (org_id, id);
    CREATE INDEX sessions_org_assistant ON sessions (org_id, assistant_id, id);
    CREATE INDEX sessions_live ON sessions (org_id) WHERE status IN ('created', 'active');

    CREATE TABLE messages (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      session_id text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
      text text NOT NULL DEFAULT '',
      start_ms integer,
      end_ms integer,
      interrupted boolean NOT NULL DEFAULT false,
      tool_calls jsonb,
      tool_result jsonb,
      metrics jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX messages_session ON messages (org_id, session_id, id);

    CREATE TABLE recordings (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      session_id text NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('recording', 'processing', 'ready', 'failed', 'deleted')),
      failure_reason text,
      duration_ms integer,
      source_key text,
      renditions jsonb,
      download_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ready_at timestamptz,
      deleted_at timestamptz
    );

    CREATE TABLE events (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      type text NOT NULL,
      session_id text,
      assistant_id text,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_org ON events (org_id, id);
    CREATE INDEX events_created ON events (created_at);

    CREATE TABLE webhook_endpoints (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      url text NOT NULL,
      description text NOT NULL DEFAULT '',
      event_types jsonb NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      sealed_secret text NOT NULL,
      sealed_previous_secret text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, id);

    CREATE TABLE webhook_deliveries (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      endpoint_id text REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      url text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts jsonb NOT NULL DEFAULT '[]',
      attempt_count integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (org_id, endpoint_id, id);
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

    CREATE TABLE usage_records (
      id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      session_id text REFERENCES sessions(id) ON DELETE SET NULL,
      metric text NOT NULL,
      quantity bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX usage_records_org ON usage_records (org_id, created_at);
  `);

  await enableRowLevelSecurity(knex, 'organizations', 'id');
  for (const table of TENANT_TABLES) await enableRowLevelSecurity(knex, table, 'org_id');
}

/**
 * FORCE RLS so even the table owner is filtered. Two roles, both without BYPASSRLS:
 * `echosphere_app` sees only the organization named by `app.org_id` (set per transaction);
 * `echosphere_system` is for work that is cross-tenant by nature (key lookup, job workers) and says so in code.
 */
async function enableRowLevelSecurity(knex: Knex, table: string, orgColumn: string): Promise<void> {
  await runStatements(knex, `
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON ${table} TO echosphere_app
      USING (${orgColumn} = current_setting('app.org_id', true))
      WITH CHECK (${orgColumn} = current_setting('app.org_id', true));
    CREATE POLICY system_access ON ${table} TO echosphere_system USING (true) WITH CHECK (true);
    GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO echosphere_app, echosphere_system;
  `);
}

/** The embedded driver prepares every query, and a prepared statement holds one command: run them one by one. */
async function runStatements(knex: Knex, sql: string): Promise<void> {
  for (const statement of sql.split(/;\s*\n/).map((part) => part.trim()).filter(Boolean)) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...TENANT_TABLES].reverse()) await knex.schema.dropTableIfExists(table);
  await knex.schema.dropTableIfExists('organizations');
}

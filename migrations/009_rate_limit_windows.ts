import type { Knex } from 'knex';

/**
 * Request counts per rate-limit bucket (an API key, a client address that failed to authenticate, …) in fixed
 * windows, shared by every api process. Each process counts in memory and adds its counts here in one statement per
 * sync interval, reading back the total of all processes (api/limits/shared-window-store.ts), so no request waits on
 * this table. UNLOGGED: the counts live for a window or two, and losing them in a crash only resets those windows,
 * so they are not worth a WAL write each.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE UNLOGGED TABLE rate_limit_windows (
       bucket text NOT NULL,
       window_start timestamptz NOT NULL,
       window_end timestamptz NOT NULL,
       hits integer NOT NULL,
       PRIMARY KEY (bucket, window_start)
     )`,
    `CREATE INDEX rate_limit_windows_end ON rate_limit_windows (window_end)`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_windows TO echosphere_system`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS rate_limit_windows');
}

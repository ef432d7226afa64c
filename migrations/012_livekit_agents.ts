import type { Knex } from 'knex';

/**
 * LiveKit sessions are handed to agent processes through the database. Each agent process registers itself and
 * keeps a heartbeat in `agent_processes`; it takes a session by writing its id into `sessions.agent_process_id`
 * (a conditional update, so of two processes one wins). A process whose heartbeat stops is gone: the sessions it
 * held are ended or handed on by the others. The table is not a tenant's: only the system role uses it.
 */
export async function up(knex: Knex): Promise<void> {
  const statements = [
    `CREATE TABLE agent_processes (
       id text PRIMARY KEY,
       host text NOT NULL,
       pid integer NOT NULL,
       started_at timestamptz NOT NULL DEFAULT now(),
       heartbeat_at timestamptz NOT NULL DEFAULT now()
     )`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON agent_processes TO echosphere_system`,
    `ALTER TABLE sessions ADD COLUMN agent_process_id text`,
    `CREATE INDEX sessions_livekit_waiting ON sessions (created_at) WHERE transport = 'livekit' AND status = 'created' AND agent_process_id IS NULL`,
    `CREATE INDEX sessions_agent_process ON sessions (agent_process_id) WHERE agent_process_id IS NOT NULL AND status IN ('created', 'active')`,
  ];
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS sessions_agent_process');
  await knex.raw('DROP INDEX IF EXISTS sessions_livekit_waiting');
  await knex.raw('ALTER TABLE sessions DROP COLUMN IF EXISTS agent_process_id');
  await knex.raw('DROP TABLE IF EXISTS agent_processes');
}

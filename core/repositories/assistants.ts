import type { Knex } from 'knex';
import { sql, type Sql } from '../db/sql.ts';
import type { Transaction } from '../db/database.ts';
import type { AssistantConfig } from '../domain/assistant-config.ts';
import { newId } from '../ids.ts';

export interface AssistantRow {
  id: string;
  org_id: string;
  name: string;
  config: Omit<AssistantConfig, 'name'>;
  created_at: Date;
  updated_at: Date;
}

export async function insertAssistant(trx: Transaction, orgId: string, config: AssistantConfig): Promise<AssistantRow> {
  const { name, ...rest } = config;
  const [row] = await trx<AssistantRow>('assistants')
    .insert({ id: newId('assistant'), org_id: orgId, name, config: JSON.stringify(rest) as never })
    .returning('*');
  return row!;
}

export function assistantsOf(q: Knex, orgId: string) {
  return q<AssistantRow>('assistants').where({ org_id: orgId });
}

/** One assistant, precompiled for the hot paths (`db.tenantRead`): reading it and creating sessions from it. */
export function selectAssistant(orgId: string, id: string): Sql {
  return sql`SELECT * FROM assistants WHERE org_id = ${orgId} AND id = ${id} LIMIT 1`;
}

export async function getAssistant(trx: Transaction, orgId: string, id: string): Promise<AssistantRow | undefined> {
  return assistantsOf(trx, orgId).where({ id }).first();
}

export async function replaceAssistant(trx: Transaction, orgId: string, id: string, config: AssistantConfig): Promise<AssistantRow | undefined> {
  const { name, ...rest } = config;
  const [row] = await trx<AssistantRow>('assistants')
    .where({ org_id: orgId, id })
    .update({ name, config: JSON.stringify(rest) as never, updated_at: trx.fn.now() as never })
    .returning('*');
  return row;
}

export async function deleteAssistant(trx: Transaction, orgId: string, id: string): Promise<boolean> {
  return (await trx('assistants').where({ org_id: orgId, id }).delete().returning('id')).length > 0;
}

export function assistantConfigOf(row: AssistantRow): AssistantConfig {
  return { name: row.name, ...row.config };
}

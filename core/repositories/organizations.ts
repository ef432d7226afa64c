import type { SecretBox } from '../crypto/secret-box.ts';
import { randomBytes } from 'node:crypto';
import type { Database, Transaction } from '../db/database.ts';
import { newId } from '../ids.ts';

export interface OrganizationSettings {
  max_concurrent_sessions: number;
  recording_retention_days: number;
  /** USD decimal string; new sessions get 402 once this month's cost reaches it (core/billing/session-admission.ts). */
  monthly_spend_limit_usd: string | null;
  monthly_minutes_limit: number | null;
}

export interface OrganizationRow {
  id: string;
  name: string;
  settings: Partial<OrganizationSettings>;
  tool_signing_secret: string;
  billing_status: 'active' | 'past_due' | 'canceled';
  created_at: Date;
  updated_at: Date;
}

export const DEFAULT_RECORDING_RETENTION_DAYS = 30;

/** Settings as they apply: stored values over platform defaults. */
export function effectiveSettings(row: OrganizationRow, defaults: { maxConcurrentSessions: number }): OrganizationSettings {
  return {
    max_concurrent_sessions: row.settings.max_concurrent_sessions ?? defaults.maxConcurrentSessions,
    recording_retention_days: row.settings.recording_retention_days ?? DEFAULT_RECORDING_RETENTION_DAYS,
    monthly_spend_limit_usd: row.settings.monthly_spend_limit_usd ?? null,
    monthly_minutes_limit: row.settings.monthly_minutes_limit ?? null,
  };
}

/** Creating organizations is an operator action (CLI, first start): it runs as the system role. */
export async function createOrganization(trx: Transaction, secretBox: SecretBox, name: string): Promise<OrganizationRow> {
  const [row] = await trx<OrganizationRow>('organizations')
    .insert({
      id: newId('organization'),
      name,
      // Signs tool calls to the organization's servers, Standard Webhooks style (whsec_ + base64 key).
      tool_signing_secret: secretBox.seal(`whsec_${randomBytes(24).toString('base64')}`),
    })
    .returning('*');
  return row!;
}

export async function getOrganization(trx: Transaction, orgId: string, options: { forUpdate?: boolean } = {}) {
  const query = trx<OrganizationRow>('organizations').where({ id: orgId }).first();
  return options.forUpdate ? query.forUpdate() : query;
}

export async function updateOrganization(
  trx: Transaction,
  orgId: string,
  changes: { name?: string; settings?: Partial<OrganizationSettings> },
): Promise<OrganizationRow> {
  const [row] = await trx<OrganizationRow>('organizations')
    .where({ id: orgId })
    .update({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.settings ? { settings: trx.raw('settings || ?::jsonb', [JSON.stringify(changes.settings)]) as never } : {}),
      updated_at: trx.fn.now() as never,
    })
    .returning('*');
  return row!;
}

/** The embedded default's organization: the first one created on this database. */
export async function defaultOrganizationId(db: Database): Promise<string | undefined> {
  const row = await db.system((trx) => trx('organizations').orderBy('created_at', 'asc').orderBy('id', 'asc').first('id'));
  return (row as { id: string } | undefined)?.id;
}

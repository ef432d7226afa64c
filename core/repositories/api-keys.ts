import type { Transaction } from '../db/database.ts';
import { generateApiKey, type ApiKeyType } from '../crypto/tokens.ts';
import { newId } from '../ids.ts';

export interface ApiKeyRow {
  id: string;
  org_id: string;
  type: ApiKeyType;
  name: string;
  display_prefix: string;
  hash: Buffer;
  allowed_assistant_ids: string[] | null;
  allowed_origins: string[] | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** When the key stops authenticating; null for keys that last until revoked. */
  expires_at: Date | null;
  /** False until the plaintext has reached someone (see migration 006). */
  plaintext_shown: boolean;
}

export interface NewApiKey {
  orgId: string;
  type: ApiKeyType;
  name: string;
  allowedAssistantIds?: string[] | null;
  allowedOrigins?: string[] | null;
  /** False for a key whose plaintext is printed after it is stored: `markApiKeyShown` once it is. Default true. */
  shown?: boolean;
  /** A key that stops authenticating after this long (the dashboard's sign-in keys). Default: until revoked. */
  lifetimeMs?: number;
}

export async function createApiKey(trx: Transaction, input: NewApiKey): Promise<{ row: ApiKeyRow; plaintext: string }> {
  const key = generateApiKey(input.type);
  const [row] = await trx<ApiKeyRow>('api_keys')
    .insert({
      id: newId('apiKey'),
      org_id: input.orgId,
      type: input.type,
      name: input.name,
      display_prefix: key.displayPrefix,
      hash: key.hash,
      allowed_assistant_ids: input.allowedAssistantIds ? (JSON.stringify(input.allowedAssistantIds) as never) : null,
      allowed_origins: input.allowedOrigins ? (JSON.stringify(input.allowedOrigins) as never) : null,
      plaintext_shown: input.shown ?? true,
      expires_at: input.lifetimeMs === undefined ? null : new Date(Date.now() + input.lifetimeMs),
    })
    .returning('*');
  return { row: row!, plaintext: key.plaintext };
}

/** Cross-tenant by nature: the key is what tells us the tenant. Run inside `db.system`. */
export async function findApiKeyByHash(trx: Transaction, hash: Buffer): Promise<ApiKeyRow | undefined> {
  return trx<ApiKeyRow>('api_keys').where({ hash }).first();
}

export async function revokeApiKey(trx: Transaction, orgId: string, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await trx<ApiKeyRow>('api_keys')
    .where({ org_id: orgId, id })
    .update({ revoked_at: trx.raw('coalesce(revoked_at, now())') as never })
    .returning('*');
  return row;
}

export async function markApiKeyShown(trx: Transaction, orgId: string, id: string): Promise<void> {
  await trx('api_keys').where({ org_id: orgId, id }).update({ plaintext_shown: true });
}

/** The organization's usable secret keys if not one of them was ever shown (nobody can be holding one). */
export async function unshownSecretKeys(trx: Transaction, orgId: string): Promise<ApiKeyRow[]> {
  const active = await trx<ApiKeyRow>('api_keys').where({ org_id: orgId, type: 'secret' }).whereNull('revoked_at');
  return active.every((key) => !key.plaintext_shown) ? active : [];
}

export async function touchApiKey(trx: Transaction, id: string): Promise<void> {
  await trx('api_keys').where({ id }).update({ last_used_at: trx.fn.now() });
}

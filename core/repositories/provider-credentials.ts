import type { SecretBox } from '../crypto/secret-box.ts';
import type { Database, Transaction } from '../db/database.ts';

export const CREDENTIAL_PROVIDERS = ['openai', 'deepgram', 'elevenlabs'] as const;
export type CredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

export interface ProviderCredentialRow {
  org_id: string;
  provider: CredentialProvider;
  sealed_api_key: string;
  api_key_last4: string;
  base_url: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function upsertProviderCredential(
  trx: Transaction,
  secretBox: SecretBox,
  input: { orgId: string; provider: CredentialProvider; apiKey: string; baseUrl: string | null },
): Promise<ProviderCredentialRow> {
  const [row] = await trx<ProviderCredentialRow>('provider_credentials')
    .insert({
      org_id: input.orgId,
      provider: input.provider,
      sealed_api_key: secretBox.seal(input.apiKey),
      api_key_last4: input.apiKey.slice(-4),
      base_url: input.baseUrl,
    })
    .onConflict(['org_id', 'provider'])
    .merge(['sealed_api_key', 'api_key_last4', 'base_url', 'updated_at'])
    .returning('*');
  return row!;
}

export async function listProviderCredentials(trx: Transaction, orgId: string): Promise<ProviderCredentialRow[]> {
  return trx<ProviderCredentialRow>('provider_credentials').where({ org_id: orgId }).orderBy('provider');
}

export async function getProviderCredential(trx: Transaction, orgId: string, provider: CredentialProvider) {
  return trx<ProviderCredentialRow>('provider_credentials').where({ org_id: orgId, provider }).first();
}

export async function deleteProviderCredential(trx: Transaction, orgId: string, provider: CredentialProvider): Promise<boolean> {
  return (await trx('provider_credentials').where({ org_id: orgId, provider }).delete().returning('provider')).length > 0;
}

/** The decrypted key (and base URL, if any), for building a provider client. Never returned by the API. */
export function openProviderCredential(row: Pick<ProviderCredentialRow, 'sealed_api_key' | 'base_url'>, secretBox: SecretBox): { apiKey: string; baseUrl?: string } {
  return { apiKey: secretBox.open(row.sealed_api_key), ...(row.base_url ? { baseUrl: row.base_url } : {}) };
}

export interface RuntimeSecrets {
  credentials: Map<string, { apiKey: string; baseUrl?: string }>;
  toolSigningSecret: string;
}

/** The organization's provider keys and tool signing secret, decrypted for the lifetime of one session. */
export async function loadRuntimeSecrets(db: Database, secretBox: SecretBox, orgId: string): Promise<RuntimeSecrets> {
  return db.tenant(orgId, async (trx) => {
    const org = await trx('organizations').where({ id: orgId }).first('tool_signing_secret');
    if (!org) throw new Error(`Organization ${orgId} not found`);
    const rows = await trx<ProviderCredentialRow>('provider_credentials').where({ org_id: orgId }).select('provider', 'sealed_api_key', 'base_url');
    const credentials = new Map(rows.map((row) => [row.provider as string, openProviderCredential(row, secretBox)]));
    return { credentials, toolSigningSecret: secretBox.open(org.tool_signing_secret as string) };
  });
}

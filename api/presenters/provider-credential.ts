import type { ProviderCredentialRow } from '../../core/repositories/provider-credentials.ts';

export function toPublicProviderCredential(row: ProviderCredentialRow) {
  return {
    object: 'provider_credential' as const,
    provider: row.provider,
    api_key_last4: row.api_key_last4,
    base_url: row.base_url,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

import type { ApiKeyRow } from '../../core/repositories/api-keys.ts';

export function toPublicApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    object: 'api_key' as const,
    type: row.type,
    name: row.name,
    prefix: row.display_prefix,
    allowed_assistant_ids: row.allowed_assistant_ids,
    allowed_origins: row.allowed_origins,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
    expires_at: row.expires_at?.toISOString() ?? null,
  };
}

import type { WebhookEndpointRow } from '../../core/webhooks/endpoints.ts';

export function toPublicWebhookEndpoint(row: WebhookEndpointRow) {
  return {
    id: row.id,
    object: 'webhook_endpoint' as const,
    url: row.url,
    description: row.description,
    event_types: row.event_types,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    disabled_at: row.disabled_at?.toISOString() ?? null,
    failing_since: row.failing_since?.toISOString() ?? null,
    previous_secret_expires_at:
      row.sealed_previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > Date.now()
        ? row.previous_secret_expires_at.toISOString()
        : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

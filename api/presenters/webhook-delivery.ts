import type { WebhookDeliveryRow } from '../../core/webhooks/deliveries.ts';

export function toPublicWebhookDelivery(row: WebhookDeliveryRow, eventType: string | undefined) {
  return {
    id: row.id,
    object: 'webhook_delivery' as const,
    event_id: row.event_id,
    event_type: eventType ?? null,
    endpoint_id: row.endpoint_id,
    url: row.url,
    status: row.status,
    attempt_count: row.attempt_count,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? (row.next_attempt_at?.toISOString() ?? null) : null,
    failure_reason: row.failure_reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

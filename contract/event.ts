import type { EventRow } from '../core/webhooks/outbox.ts';

/** The public shape of an event, as listed by the API and sent as a webhook body. */
export function toPublicEvent(row: EventRow) {
  return {
    id: row.id,
    object: 'event' as const,
    type: row.type,
    created_at: row.created_at.toISOString(),
    session_id: row.session_id,
    assistant_id: row.assistant_id,
    data: row.data,
  };
}

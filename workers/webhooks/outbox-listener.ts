import type pg from 'pg';
import type { Database } from '../../core/db/database.ts';
import { listenForNotifications } from '../../core/db/notifications.ts';

export { connectionOf } from '../../core/db/notifications.ts';
import { OUTBOX_CHANNEL } from '../../core/webhooks/outbox.ts';
import type { Logger } from '../../core/logger.ts';

/**
 * The payload sent on the outbox channel when deliveries were inserted directly (redelivery, test events) rather than
 * by fan-out (see core/webhooks/events.ts); any other payload is an event id.
 */
export const DELIVERIES_READY = 'deliveries';

/** Calls `onEvent` (with the NOTIFY payload) soon after any transaction that appended an outbox event commits. */
export async function listenForOutboxEvents(
  db: Database,
  listenConnection: string | pg.ClientConfig | undefined,
  onEvent: (payload: string) => void,
  logger: Logger,
): Promise<() => Promise<void>> {
  return listenForNotifications(db, OUTBOX_CHANNEL, onEvent, logger, {
    ...(listenConnection ? { connection: listenConnection } : {}),
    // Work committed while we were not listening is found by this wake-up rather than by the next poll.
    onConnected: () => onEvent(DELIVERIES_READY),
  });
}

import pg from 'pg';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { OUTBOX_CHANNEL } from '../../core/events/outbox.ts';

const RECONNECT_DELAY_MS = 1000;

/**
 * The payload sent on the outbox channel when deliveries were inserted directly (redelivery, test events) rather than
 * by fan-out (see core/repositories/webhook-events.ts); any other payload is an event id.
 */
export const DELIVERIES_READY = 'deliveries';

/**
 * Calls `onEvent` (with the NOTIFY payload) soon after any transaction that appended an outbox event commits (pg_notify is delivered on commit).
 * PGlite delivers notifications in-process; PostgreSQL needs a dedicated connection, re-opened if it drops (polling
 * covers the gap, so a lost notification only costs latency). Returns a function that stops listening.
 */
export async function listenForOutboxEvents(
  db: Database,
  listenConnection: string | pg.ClientConfig | undefined,
  onEvent: (payload: string) => void,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (db.pglite) {
    const unlisten = await db.pglite.listen(OUTBOX_CHANNEL, (payload) => onEvent(payload));
    return async () => {
      if (!db.pglite!.closed) await unlisten();
    };
  }
  if (!listenConnection) {
    logger.warn('webhook deliverer has no database URL to LISTEN on; falling back to polling only');
    return async () => undefined;
  }

  let stopped = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(typeof listenConnection === 'string' ? { connectionString: listenConnection } : listenConnection);
    next.on('notification', (message) => onEvent(message.payload ?? ''));
    next.on('error', (error) => {
      logger.warn('outbox listener connection lost', { error: error.message });
      scheduleReconnect(next);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      logger.warn('outbox listener could not connect', { error: (error as Error).message });
      scheduleReconnect(next);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    // Work committed while we were not listening is found by this wake-up rather than by the next poll.
    onEvent(DELIVERIES_READY);
  };

  const scheduleReconnect = (failed: pg.Client): void => {
    failed.end().catch(() => undefined);
    if (client === failed) client = undefined;
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, RECONNECT_DELAY_MS);
  };

  await connect();
  return async () => {
    stopped = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    await client?.end().catch(() => undefined);
  };
}

/** The connection settings a Database was opened with (knex keeps them parsed), when it is a PostgreSQL server. */
export function connectionOf(db: Database): string | pg.ClientConfig | undefined {
  if (db.dialect !== 'postgres') return undefined;
  const connection = (db.knex.client as { config?: { connection?: unknown } }).config?.connection;
  return typeof connection === 'string' || (typeof connection === 'object' && connection !== null) ? (connection as string | pg.ClientConfig) : undefined;
}

import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Database } from './database.ts';

const RECONNECT_DELAY_MS = 1000;

export interface ListenOptions {
  /** Connection settings for the dedicated LISTEN client (PostgreSQL); defaults to the database's own. */
  connection?: string | pg.ClientConfig;
  /** Called whenever listening (re)starts: anything committed while nobody listened can be picked up then. */
  onConnected?: () => void;
}

/**
 * Calls `onPayload` for every NOTIFY on `channel` (delivered when the notifying transaction commits). PGlite delivers
 * notifications in-process; PostgreSQL needs a dedicated connection, re-opened if it drops. Callers keep a polling
 * fallback, so a notification lost while reconnecting costs latency, not correctness. Returns a function that stops.
 */
export async function listenForNotifications(
  db: Database,
  channel: string,
  onPayload: (payload: string) => void,
  logger: Logger,
  options: ListenOptions = {},
): Promise<() => Promise<void>> {
  if (db.pglite) {
    const unlisten = await db.pglite.listen(channel, (payload) => onPayload(payload));
    return async () => {
      if (!db.pglite!.closed) await unlisten();
    };
  }
  const listenConnection = options.connection ?? connectionOf(db);
  if (!listenConnection) {
    logger.warn('no database connection to LISTEN on; relying on polling', { channel });
    return async () => undefined;
  }

  let stopped = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(typeof listenConnection === 'string' ? { connectionString: listenConnection } : listenConnection);
    next.on('notification', (message) => onPayload(message.payload ?? ''));
    next.on('error', (error) => {
      logger.warn('notification listener connection lost', { error: error.message });
      scheduleReconnect(next);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      logger.warn('notification listener could not connect', { error: (error as Error).message });
      scheduleReconnect(next);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    options.onConnected?.();
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

import { runSql, type Database, type Transaction } from '../db/database.ts';
import { sql, type Sql } from '../db/sql.ts';
import { newId } from '../ids.ts';
import type { EventType } from './catalogue.ts';

export const OUTBOX_CHANNEL = 'echosphere_outbox';

export interface NewEvent {
  orgId: string;
  type: EventType;
  data: Record<string, unknown>;
  sessionId?: string;
  assistantId?: string;
}

export interface EventRow {
  id: string;
  org_id: string;
  type: EventType;
  session_id: string | null;
  assistant_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

/**
 * Records a domain event inside the caller's transaction, so the event exists exactly when the change it describes
 * does. The NOTIFY is delivered on commit and wakes the webhook deliverer without waiting for a poll.
 */
export async function appendEvent(trx: Transaction, event: NewEvent): Promise<EventRow> {
  const [row] = await runSql(trx, appendEventStatement(event));
  return row as EventRow;
}

/**
 * The same as one statement, the insert with its NOTIFY, returning the event's row: `appendEvent` runs it, and the
 * hot paths put it in a `db.tenantBatch` (one round trip with the change it describes).
 */
export function appendEventStatement(event: NewEvent): Sql {
  return appendEventsStatement(
    sql`SELECT ${newId('event')}, ${event.orgId}, ${event.type}, ${event.sessionId ?? null}, ${event.assistantId ?? null}, ${JSON.stringify(event.data)}::jsonb, now()`,
  );
}

/**
 * The outbox's one insert: the events `rows` selects (id, org_id, type, session_id, assistant_id, data, created_at),
 * each followed by its NOTIFY, returning the events' rows. `steps` are the statement's earlier common table
 * expressions (the change the events describe, which `rows` reads), so a change and its events are one statement.
 * Without `notify`, the caller wakes the deliverer itself after its commit (`notifyOutbox`).
 */
export function appendEventsStatement(rows: Sql, steps?: Sql, { notify = true } = {}): Sql {
  return sql`WITH ${steps ? sql`${steps}, ` : sql``}event AS (
      INSERT INTO events (id, org_id, type, session_id, assistant_id, data, created_at)
      ${rows}
      RETURNING *
    )
    SELECT event.* FROM event${notify ? sql` CROSS JOIN LATERAL (SELECT pg_notify(${OUTBOX_CHANNEL}, event.id)) AS notified` : sql``}`;
}

/**
 * Wakes the webhook deliverer for an event committed without its NOTIFY. PostgreSQL lets one notifying transaction
 * commit at a time (a lock held until its commit is flushed to disk), which caps every write that notifies at one
 * disk flush each, whatever the organization. Session creation, the write a burst of traffic repeats, notifies here
 * after its commit instead: alone, the NOTIFY writes nothing and commits without a flush. A process that stops in
 * between leaves the event to the deliverer's poll, as a notification lost any other way is.
 */
export async function notifyOutbox(db: Database, eventId: string): Promise<void> {
  await runSql(db.knex, sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${eventId})`);
}

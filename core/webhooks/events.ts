import { runSql, type Transaction } from '../db/database.ts';
import { sql } from '../db/sql.ts';
import type { EventType } from './catalogue.ts';
import { appendEvent, OUTBOX_CHANNEL, type EventRow } from './outbox.ts';
import { insertDeliveries, resolveTargets, type DeliveryTarget, type WebhookDeliveryRow } from './deliveries.ts';
import type { WebhookEndpointRow } from './endpoints.ts';
import { fetchPage, type Page } from '../db/pagination.ts';

/** How far back `GET /v1/events` reaches. */
export const EVENT_VISIBILITY_DAYS = 30;

/** The NOTIFY payload that tells the deliverer deliveries were inserted without a fan-out. */
const DELIVERIES_READY = 'deliveries';

const visible = (trx: Transaction) => trx.raw(`now() - ? * interval '1 day'`, [EVENT_VISIBILITY_DAYS]);

export async function listEvents(
  trx: Transaction,
  orgId: string,
  filters: { type?: EventType | undefined; sessionId?: string | undefined },
  page: Page,
) {
  const query = trx('events').where({ org_id: orgId }).andWhere('created_at', '>=', visible(trx));
  if (filters.type) query.andWhere({ type: filters.type });
  if (filters.sessionId) query.andWhere({ session_id: filters.sessionId });
  return fetchPage<EventRow>(query.select('id', 'org_id', 'type', 'session_id', 'assistant_id', 'data', 'created_at'), page);
}

export async function findEvent(trx: Transaction, orgId: string, id: string): Promise<EventRow | undefined> {
  return trx<EventRow>('events')
    .where({ org_id: orgId, id })
    .andWhere('created_at', '>=', visible(trx))
    .first('id', 'org_id', 'type', 'session_id', 'assistant_id', 'data', 'created_at');
}

/**
 * Deletes up to `limit` events older than `olderThanDays`, with their deliveries, and returns how many events went.
 * An event is kept while it still owes a delivery (not fanned out yet, or a delivery pending), so at-least-once
 * holds even for a worker that was down for longer than the retention. SKIP LOCKED lets several workers sweep side
 * by side without waiting on each other or on a fan-out. System role.
 */
export async function deleteExpiredEvents(trx: Transaction, olderThanDays: number, limit: number): Promise<number> {
  const deleted = await runSql(
    trx,
    sql`WITH doomed AS (
       SELECT e.id, e.org_id FROM events e
       WHERE e.created_at < now() - ${olderThanDays} * interval '1 day'
         AND e.webhooks_fanned_out_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.org_id = e.org_id AND d.event_id = e.id AND d.status = 'pending')
       ORDER BY e.created_at
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED
     ), finished_deliveries AS (
       DELETE FROM webhook_deliveries d USING doomed WHERE d.org_id = doomed.org_id AND d.event_id = doomed.id
     )
     DELETE FROM events e USING doomed WHERE e.id = doomed.id RETURNING e.id`,
  );
  return deleted.length;
}

/**
 * New deliveries of an event (same webhook-id): to one endpoint, or to every target the event has now. `webhook.test`
 * events go back to the endpoint they were sent to.
 */
export async function redeliverEvent(trx: Transaction, event: EventRow, endpoint?: WebhookEndpointRow): Promise<WebhookDeliveryRow[]> {
  let targets: DeliveryTarget[];
  if (endpoint) {
    targets = [{ eventId: event.id, orgId: event.org_id, endpointId: endpoint.id, url: endpoint.url }];
  } else if (event.type === 'webhook.test') {
    const endpointId = String(event.data.endpoint_id ?? '');
    const row = await trx<WebhookEndpointRow>('webhook_endpoints').where({ org_id: event.org_id, id: endpointId, enabled: true }).first();
    targets = row ? [{ eventId: event.id, orgId: event.org_id, endpointId: row.id, url: row.url }] : [];
  } else {
    targets = await resolveTargets(trx, [event]);
  }
  return insertAndAnnounce(trx, targets);
}

/** Records a `webhook.test` event and its one delivery, to this endpoint only. */
export async function sendTestEvent(trx: Transaction, endpoint: WebhookEndpointRow): Promise<{ event: EventRow; delivery: WebhookDeliveryRow }> {
  const event = await appendEvent(trx, {
    orgId: endpoint.org_id,
    type: 'webhook.test',
    data: { endpoint_id: endpoint.id, message: 'A test event sent from the EchoSphere API.' },
  });
  await trx('events').where({ id: event.id }).update({ webhooks_fanned_out_at: trx.fn.now() });
  const [delivery] = await insertAndAnnounce(trx, [{ eventId: event.id, orgId: endpoint.org_id, endpointId: endpoint.id, url: endpoint.url }]);
  return { event, delivery: delivery! };
}

async function insertAndAnnounce(trx: Transaction, targets: DeliveryTarget[]): Promise<WebhookDeliveryRow[]> {
  if (targets.length === 0) return [];
  const { ids } = await insertDeliveries(trx, targets);
  await runSql(trx, sql`SELECT pg_notify(${OUTBOX_CHANNEL}, ${DELIVERIES_READY})`);
  return trx<WebhookDeliveryRow>('webhook_deliveries').whereIn('id', ids).orderBy('id');
}

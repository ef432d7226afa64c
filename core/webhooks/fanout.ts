import type { Transaction } from '../db/database.ts';
import { insertDeliveries, resolveTargets, type EventForFanOut, type InsertLease } from './deliveries.ts';

/**
 * Turns outbox events into deliveries, exactly once per event: the events are locked (SKIP LOCKED, so workers share
 * the work), their deliveries inserted, and the events marked, all in the caller's transaction.
 * With `lease`, deliveries it accepts are claimed for the caller at once, saving a round trip on the fast path.
 */
export async function fanOutEvents(
  trx: Transaction,
  limit: number,
  lease?: InsertLease,
): Promise<{ events: number; deliveries: number; leasedIds: string[] }> {
  const events: EventForFanOut[] = await trx('events')
    .whereNull('webhooks_fanned_out_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .select('id', 'org_id', 'type', 'session_id', 'assistant_id');
  if (events.length === 0) return { events: 0, deliveries: 0, leasedIds: [] };
  const targets = await resolveTargets(trx, events);
  const { ids, leasedIds } = await insertDeliveries(trx, targets, lease);
  await trx('events').whereIn('id', events.map((event) => event.id)).update({ webhooks_fanned_out_at: trx.fn.now() });
  return { events: events.length, deliveries: ids.length, leasedIds };
}

import type { Database } from '../db/database.ts';

/**
 * The meter events Stripe is owed: one per charged session, written with the session's end (session-charge.ts) and
 * marked reported once Stripe has accepted it. The rows are the durable truth; jobs on the queue are only how the
 * work gets done, so a lost job is re-enqueued from here and nothing owed is ever forgotten.
 */

export interface MeterReport {
  session_id: string;
  org_id: string;
  value_micro_usd: string;
  occurred_at: Date;
  status: 'pending' | 'reported';
}

/**
 * Pending reports not enqueued in the last `requeueAfterS` seconds (never, or their job was lost), marked enqueued now.
 * Rows another worker is claiming are skipped, so workers on several machines do not enqueue the same report at once.
 */
export async function claimReportsToEnqueue(db: Database, requeueAfterS: number, batch: number): Promise<Array<{ sessionId: string; orgId: string }>> {
  return db.system(async (trx) => {
    const rows = await trx.raw<{ rows: Array<{ session_id: string; org_id: string }> }>(
      `UPDATE meter_reports SET enqueued_at = now()
       WHERE session_id IN (
         SELECT session_id FROM meter_reports
         WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < now() - (? * interval '1 second'))
         ORDER BY enqueued_at NULLS FIRST, created_at
         LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING session_id, org_id`,
      [requeueAfterS, batch],
    );
    return rows.rows.map((row) => ({ sessionId: row.session_id, orgId: row.org_id }));
  });
}

/** A report whose job could not be enqueued is claimable again at once, rather than after `requeueAfterS`. */
export async function releaseEnqueueClaim(db: Database, sessionId: string): Promise<void> {
  await db.system((trx) => trx('meter_reports').where({ session_id: sessionId, status: 'pending' }).update({ enqueued_at: null }));
}

export async function findMeterReport(db: Database, sessionId: string): Promise<MeterReport | undefined> {
  return db.system((trx) => trx<MeterReport>('meter_reports').where({ session_id: sessionId }).first());
}

export async function markMeterReported(db: Database, sessionId: string): Promise<void> {
  await db.system((trx) => trx('meter_reports').where({ session_id: sessionId }).update({ status: 'reported', reported_at: trx.fn.now(), last_error: null }));
}

export async function recordMeterReportFailure(db: Database, sessionId: string, error: string): Promise<void> {
  await db.system((trx) =>
    trx('meter_reports').where({ session_id: sessionId }).update({ attempts: trx.raw('attempts + 1'), last_error: error.slice(0, 2000) }),
  );
}

/**
 * The workers' meter reporting as its own process, for the crash test: `tsx meter-worker-process.ts <stripe url>` with
 * DATABASE_URL (PostgreSQL) or ECHOSPHERE_TEST_PGLITE_DIR (embedded). Exits 0 once no meter event is owed.
 */
import { createStripeClient } from '../../core/billing/stripe/stripe-client.ts';
import { Database } from '../../core/db/database.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { startMeterReporting } from '../../workers/billing/meter-reporting.ts';

const [stripeUrl] = process.argv.slice(2) as [string];
const db = await Database.open({ url: process.env.DATABASE_URL, dataDir: process.env.ECHOSPHERE_TEST_PGLITE_DIR });
const queue = new DatabaseQueue(db.knex, { leaseS: 2, pollIntervalMs: 100 });
const stop = await startMeterReporting({
  db,
  queue,
  stripe: createStripeClient({ secretKey: 'sk_test_echosphere', apiUrl: stripeUrl }),
  eventName: 'echosphere_usage',
  intervalMs: 100,
  onError: () => undefined,
});
process.stdout.write('worker started\n');
for (;;) {
  const owed = await db.system((trx) => trx('meter_reports').where({ status: 'pending' }).count<{ count: string }[]>('* as count'));
  if (Number(owed[0]!.count) === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await stop();
await queue.stop();
await db.close();
process.exit(0);

// A webhook worker process for the crash test: delivers until killed (SIGKILL) or asked to stop (SIGTERM).
// Prints `ready` once delivering, then `deliveries {"<status>": n, …}` every STATUS_INTERVAL_MS, so the test can tell
// when everything is recorded without opening the database itself (an embedded data folder has one user at a time).
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { quietLogger } from './fixtures.ts';
import { WebhookDeliverer } from '../../workers/webhooks/webhook-deliverer.ts';

const STATUS_INTERVAL_MS = 100;
const attemptTimeoutMs = Number(process.env.CRASH_ATTEMPT_TIMEOUT_MS ?? 500);

const db = await Database.open(process.env.CRASH_DATABASE_URL ? { url: process.env.CRASH_DATABASE_URL } : { dataDir: process.env.CRASH_DATA_DIR! });
const deliverer = new WebhookDeliverer({
  db,
  secretBox: new SecretBox(Buffer.from(process.env.CRASH_ENCRYPTION_KEY!, 'base64')),
  logger: quietLogger,
  allowPrivateUrls: true,
  // Short timings so that a killed worker's claims come due again quickly: the lease must cover the attempt timeout
  // plus the deliverer's one-second start margin. A test that kills a worker during an attempt asks for a longer one.
  attemptTimeoutMs,
  leaseMs: attemptTimeoutMs + 1500,
  pollIntervalMs: 50,
  // Smaller fan-out transactions: the first deliveries after a restart start sooner on the slow embedded engine.
  fanOutBatchSize: 100,
  retryPolicy: { delaysMs: [50, 50, 50, 50, 50, 50, 50], jitter: 0 },
});
await deliverer.start();
process.stdout.write('ready\n');

const reportStatus = async () => {
  const rows: Array<{ status: string; n: number }> = await db.system((trx) => trx('webhook_deliveries').select('status').count('* as n').groupBy('status'));
  process.stdout.write(`deliveries ${JSON.stringify(Object.fromEntries(rows.map((row) => [row.status, row.n])))}\n`);
};
const statusTimer = setInterval(() => void reportStatus().catch(() => undefined), STATUS_INTERVAL_MS);

process.on('SIGTERM', () => {
  clearInterval(statusTimer);
  void deliverer.stop().then(() => db.close()).then(() => process.exit(0));
});

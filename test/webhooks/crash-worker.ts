// A webhook worker process for the crash test: delivers until killed (SIGKILL) or asked to stop (SIGTERM).
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { quietLogger } from './fixtures.ts';
import { WebhookDeliverer } from '../../workers/webhooks/webhook-deliverer.ts';

const db = await Database.open(process.env.CRASH_DATABASE_URL ? { url: process.env.CRASH_DATABASE_URL } : { dataDir: process.env.CRASH_DATA_DIR! });
const deliverer = new WebhookDeliverer({
  db,
  secretBox: new SecretBox(Buffer.from(process.env.CRASH_ENCRYPTION_KEY!, 'base64')),
  logger: quietLogger,
  allowPrivateUrls: true,
  attemptTimeoutMs: 1000,
  leaseMs: 2500,
  pollIntervalMs: 100,
  retryPolicy: { delaysMs: [50, 50, 50, 50, 50, 50, 50], jitter: 0 },
});
await deliverer.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void deliverer.stop().then(() => db.close()).then(() => process.exit(0));
});

/**
 * An evaluation worker as its own process, for the crash test: `tsx evaluation-worker-process.ts <org> <evaluation>`
 * with DATABASE_URL (PostgreSQL) or ECHOSPHERE_TEST_PGLITE_DIR (embedded), and ECHOSPHERE_TEST_SECRET_KEY (the
 * secret box key the organization's credential was sealed with). Exits 0 once the evaluation is over.
 */
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import type { EvaluationRow } from '../../core/repositories/evaluations.ts';
import { startEvaluationWorker } from '../../workers/evaluations/evaluation-worker.ts';

const [orgId, evaluationId] = process.argv.slice(2) as [string, string];
const db = await Database.open({ url: process.env.DATABASE_URL, dataDir: process.env.ECHOSPHERE_TEST_PGLITE_DIR });
const queue = new DatabaseQueue(db.knex, { leaseS: 2, pollIntervalMs: 100 });
await startEvaluationWorker({
  db,
  queue,
  secretBox: new SecretBox(Buffer.from(process.env.ECHOSPHERE_TEST_SECRET_KEY!, 'base64')),
  env: {},
  providerUrlPolicy: providerUrlPolicy(true),
  sweepIntervalS: 0,
});
process.stdout.write('worker started\n');
for (;;) {
  const row = await db.tenant(orgId, (trx) => trx<EvaluationRow>('evaluations').where({ org_id: orgId, id: evaluationId }).first());
  if (row && row.status !== 'pending' && row.status !== 'running') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await queue.stop();
await db.close();
process.exit(0);

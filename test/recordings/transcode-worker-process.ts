/**
 * A transcode worker as its own process, for the crash test: `tsx transcode-worker-process.ts <media folder>
 * <org> <session>` with DATABASE_URL (PostgreSQL) or ECHOSPHERE_TEST_PGLITE_DIR (embedded). Exits 0 once the
 * session's recording is ready or failed.
 */
import { Database } from '../../core/db/database.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { getRecordingForSession } from '../../core/repositories/recordings.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { resolveFfmpeg } from '../../workers/transcode/ffmpeg-binary.ts';
import { FfmpegTranscoder } from '../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';

const [folder, orgId, sessionId] = process.argv.slice(2) as [string, string, string];
const db = await Database.open({ url: process.env.DATABASE_URL, dataDir: process.env.ECHOSPHERE_TEST_PGLITE_DIR });
const storage = new LocalStorage(folder);
const queue = new DatabaseQueue(db.knex, { leaseS: 2, pollIntervalMs: 100 });
await startTranscodeWorker({ db, queue, transcoder: new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(), storage, concurrency: 1 }) });
process.stdout.write('worker started\n');
for (;;) {
  const row = await db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
  if (row?.status === 'ready' || row?.status === 'failed') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await queue.stop();
await db.close();
process.exit(0);

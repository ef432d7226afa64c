import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Recorder } from '../../agent-runtime/recording/recorder.ts';
import { Database } from '../../core/db/database.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { enqueueTranscode } from '../../core/queue/recording-jobs.ts';
import { getRecordingForSession, markRecordingProcessing } from '../../core/repositories/recordings.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { recordingKeys } from '../../core/storage/recording-layout.ts';
import { LADDER } from '../../workers/transcode/ladder.ts';
import { openTestDatabase } from '../support/database.ts';
import { chirp, feed, insertEndedSessionRecording, temporaryFolder } from './support.ts';
import { startScriptProcess } from '../support/script-process.ts';

const SECONDS = 40;

function startWorker(env: NodeJS.ProcessEnv, args: string[]) {
  return startScriptProcess(path.join(import.meta.dirname, 'transcode-worker-process.ts'), args, env);
}

test('a transcode whose worker is killed completes after restart, with no duplicate or missing objects', async () => {
  const folder = temporaryFolder('crash');
  const storage = new LocalStorage(path.join(folder, 'media'));
  // The worker is another process: PostgreSQL when configured, else an embedded database on disk that the two
  // processes take turns to open.
  const server = process.env.TEST_DATABASE_URL ? await openTestDatabase() : undefined;
  const env: NodeJS.ProcessEnv = server?.url ? { DATABASE_URL: server.url } : { ECHOSPHERE_TEST_PGLITE_DIR: path.join(folder, 'db') };
  let db: Database = server ?? (await Database.open({ dataDir: env.ECHOSPHERE_TEST_PGLITE_DIR }));
  if (!server) await db.migrate();

  const { orgId, sessionId, prefix, row } = await insertEndedSessionRecording(db);
  const recorder = new Recorder({ storage, prefix, sampleRateHz: 16_000 });
  feed((pcm, at) => recorder.writeUser(pcm, at), chirp(SECONDS, 16_000), 0, 16_000);
  const { durationMs, chunkCount } = await recorder.finish();
  await db.tenant(orgId, (trx) => markRecordingProcessing(trx, orgId, row.id, durationMs));
  await enqueueTranscode(new DatabaseQueue(db.knex), { orgId, sessionId, recordingId: row.id });
  if (!server) await db.close();

  const keys = recordingKeys(prefix);
  const first = startWorker(env, [path.join(folder, 'media'), orgId, sessionId]);
  // Kill it once it is part-way through the segments.
  for (;;) {
    const segments = await storage.list(keys.hls);
    if (segments.length >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(await storage.get(keys.master), undefined, 'killed before it finished');

  const second = startWorker(env, [path.join(folder, 'media'), orgId, sessionId]);
  assert.equal(await second.exited, 0);

  if (!server) db = await Database.open({ dataDir: env.ECHOSPHERE_TEST_PGLITE_DIR });
  try {
    const recording = await db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
    assert.equal(recording?.status, 'ready', recording?.failure_reason ?? undefined);
    const expected = [
      ...Array.from({ length: chunkCount }, (_, seq) => keys.chunk(seq)),
      ...LADDER.flatMap((rendition) => [...Array.from({ length: chunkCount }, (_, seq) => keys.segment(rendition.name, seq)), keys.playlist(rendition.name)]),
      keys.master,
      keys.download,
    ].sort();
    assert.deepEqual((await storage.list(prefix)).map((object) => object.key), expected);
    const events = await db.tenant(orgId, (trx) => trx('events').where({ org_id: orgId, type: 'recording.ready' }));
    assert.equal(events.length, 1);
    const jobs = await db.system((trx) => trx('jobs').where({ queue: 'recording.transcode' }));
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].state, 'completed');
    assert.equal(jobs[0].attempts, 2);
  } finally {
    await db.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startSessionRecording } from '../../agent-runtime/recording/session-recording.ts';
import type { Database } from '../../core/db/database.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { RECORDING_QUEUES } from '../../core/queue/recording-jobs.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { recordingKeys, recordingPrefix } from '../../core/storage/recording-layout.ts';
import { FfmpegTranscoder } from '../../workers/transcode/ffmpeg-transcoder.ts';
import { LADDER } from '../../workers/transcode/ladder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';
import { openTestDatabase } from '../support/database.ts';
import { assertDownloadMatches, ffprobeJson, hasFfprobe, startRecordingStack, waitForSettled } from './pipeline.ts';
import { chirp, feed, insertOrganization, insertSession, temporaryFolder } from './support.ts';
import { moved, snapshot } from '../observability/metric-reader.ts';

const folder = temporaryFolder('short-sessions');
const storage = new LocalStorage(folder);
let db: Database;
let stack: Awaited<ReturnType<typeof startRecordingStack>>;
let org: { orgId: string; secretKey: string };

before(async () => {
  db = await openTestDatabase();
  stack = await startRecordingStack(db, storage);
  org = await stack.createOrganization('Short sessions');
});

after(async () => {
  await stack.close();
  await db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** Records a session of `seconds` in which only the user channel gets `userAudio` (no assistant speech at all). */
async function recordUserOnly(userAudio: Int16Array | undefined, seconds: number) {
  const sessionId = await insertSession(db, org.orgId, 'ended');
  const recording = await startSessionRecording({ db, storage, queue: stack.queue }, { orgId: org.orgId, sessionId, sampleRateHz: 16_000 });
  if (userAudio) feed((pcm, at) => recording.writeUser(pcm, at), userAudio, 0, 16_000);
  await recording.finish(seconds * 1000);
  return { sessionId, recordingId: recording.recordingId };
}

async function publicRecording(sessionId: string) {
  const response = await fetch(`${stack.baseUrl}/v1/sessions/${sessionId}/recording`, { headers: { authorization: `Bearer ${org.secretKey}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as {
    status: string;
    failure_reason: string | null;
    duration_ms: number | null;
    playback: { hls_url: string } | null;
    renditions: { name: string; hls_url: string }[];
    download_url: string | null;
  };
}

async function transcodeJobs(recordingId: string) {
  const jobs = await db.system((trx) => trx('jobs').where({ queue: RECORDING_QUEUES.transcode }).select('data', 'state', 'attempts'));
  return jobs.filter((job) => job.data.recordingId === recordingId);
}

for (const [label, audio] of [
  ['silent (a muted microphone)', new Int16Array(16_000)],
  ['speech-like', chirp(1, 16_000, 4)],
] as const) {
  test(`one second of ${label} user audio and no assistant speech is a playable recording`, { skip: !hasFfprobe && 'ffprobe not installed (apt-get install ffmpeg)' }, async () => {
    const metricsBefore = await snapshot();
    const { sessionId, recordingId } = await recordUserOnly(audio, 1);
    const row = await waitForSettled(db, org.orgId, sessionId);
    assert.equal(row.status, 'ready', row.failure_reason ?? undefined);
    const metrics = await snapshot();
    assert.equal(moved(metricsBefore, metrics, 'echosphere_transcode_seconds_per_recording_minute_count'), 1);
    assert.ok(moved(metricsBefore, metrics, 'echosphere_transcode_seconds_per_recording_minute_sum') > 0);
    assert.deepEqual((await transcodeJobs(recordingId)).map((job) => job.attempts), [1], 'transcoded on its first attempt');

    const recording = await publicRecording(sessionId);
    assert.equal(recording.status, 'ready');
    assert.ok(Math.abs(recording.duration_ms! - 1000) <= 100, `duration ${recording.duration_ms} ms`);
    for (const rendition of recording.renditions) {
      // Read through ffmpeg's HLS demuxer, the way a player opens it (bit rates are not checked: silence is nearly free).
      const step = LADDER.find((candidate) => candidate.name === rendition.name)!;
      const probe = (await ffprobeJson(rendition.hls_url, 'stream=codec_name,profile,channels,sample_rate:format=duration')) as {
        streams: { codec_name: string; profile: string; channels: number; sample_rate: string }[];
        format: { duration: string };
      };
      assert.deepEqual(probe.streams.map((stream) => [stream.codec_name, stream.profile, stream.channels, Number(stream.sample_rate)]), [['aac', 'LC', step.channels, step.sampleRateHz]], rendition.name);
      assert.ok(Math.abs(Number(probe.format.duration) - 1) <= 0.1, `${rendition.name} lasts ${probe.format.duration} s`);
    }
    await assertDownloadMatches(recording.download_url!, 1);
  });
}

test('a session with no audio at all is skipped, with its reason, and nothing is transcoded or retried', async () => {
  const { sessionId, recordingId } = await recordUserOnly(undefined, 0);
  const recording = await publicRecording(sessionId);
  assert.equal(recording.status, 'skipped');
  assert.match(recording.failure_reason ?? '', /no audio/i);
  assert.equal(recording.playback, null);
  assert.equal(recording.download_url, null);
  assert.deepEqual(await transcodeJobs(recordingId), [], 'no transcode job');
  assert.deepEqual(await storage.list(recordingKeys(recordingPrefix(org.orgId, sessionId)).chunks), [], 'no chunk stored');
  const events = await db.system((trx) => trx('events').where({ session_id: sessionId }).pluck('type'));
  assert.deepEqual(events, ['recording.skipped']);
});

test('a transcode that cannot succeed fails the recording on its first attempt', async () => {
  // Its own database and queue, so that only this worker (whose ffmpeg refuses every input) takes the job.
  const brokenDb = await openTestDatabase();
  const queue = new DatabaseQueue(brokenDb.knex, { pollIntervalMs: 50 });
  try {
    await startTranscodeWorker({ db: brokenDb, queue, transcoder: new FfmpegTranscoder({ ffmpeg: '/bin/false', storage }) });
    const orgId = await insertOrganization(brokenDb, 'Broken ffmpeg');
    const sessionId = await insertSession(brokenDb, orgId, 'ended');
    const recording = await startSessionRecording({ db: brokenDb, storage, queue }, { orgId, sessionId, sampleRateHz: 16_000 });
    feed((pcm, at) => recording.writeUser(pcm, at), chirp(1, 16_000, 5), 0, 16_000);
    await recording.finish(1000);
    const row = await waitForSettled(brokenDb, orgId, sessionId, 20_000);
    assert.equal(row.status, 'failed');
    assert.match(row.failure_reason ?? '', /ffmpeg exited with 1/);
    const jobs = await brokenDb.system((trx) => trx('jobs').where({ queue: RECORDING_QUEUES.transcode }).select('attempts', 'state'));
    assert.deepEqual(jobs.map((job) => job.attempts), [1]);
  } finally {
    await queue.stop();
    await brokenDb.close();
  }
});

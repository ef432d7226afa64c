import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { S3Client } from '@aws-sdk/client-s3';
import { Parser } from 'm3u8-parser';
import { Recorder } from '../../agent-runtime/recording/recorder.ts';
import { ConfigError, parseConfig } from '../../core/config.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { enqueueTranscode } from '../../core/queue/recording-jobs.ts';
import { markRecordingProcessing } from '../../core/repositories/recordings.ts';
import { recordingKeys, recordingPrefix } from '../../core/storage/recording-layout.ts';
import { S3Storage } from '../../core/storage/s3-storage.ts';
import { createTranscoder } from '../../workers/transcode/create-transcoder.ts';
import { resolveFfmpeg } from '../../workers/transcode/ffmpeg-binary.ts';
import { LADDER } from '../../workers/transcode/ladder.ts';
import { MediaConvertTranscoder, workKeys, type MediaConvertTranscoderOptions } from '../../workers/transcode/mediaconvert-transcoder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';
import { PermanentTranscodeError } from '../../workers/transcode/transcoder.ts';
import { startFakeMediaConvert, type FakeMediaConvert } from '../fakes/mediaconvert-server.ts';
import { startFakeS3, type FakeS3 } from '../fakes/s3-server.ts';
import { openTestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait-for.ts';
import { assertDownloadMatches, assertRenditionMatches, hasFfprobe, waitForSettled } from './pipeline.ts';
import { chirp, feed, insertEndedSessionRecording } from './support.ts';

const BUCKET = 'media';
const KEY_PREFIX = 'echosphere/';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
let s3: FakeS3;
let mediaConvert: FakeMediaConvert;
let storage: S3Storage;

before(async () => {
  s3 = await startFakeS3();
  mediaConvert = await startFakeMediaConvert({ s3, ffmpeg: resolveFfmpeg() });
  storage = new S3Storage({
    bucket: BUCKET,
    region: 'us-east-1',
    prefix: KEY_PREFIX,
    client: new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials }),
  });
});

after(async () => {
  await mediaConvert.close();
  await s3.close();
});

/** A transcoder with its own SDK client, as a separate worker process would have. */
function transcoder(overrides: Partial<MediaConvertTranscoderOptions> = {}): MediaConvertTranscoder {
  return new MediaConvertTranscoder({
    client: new MediaConvertClient({ region: 'us-east-1', endpoint: mediaConvert.endpoint, credentials }),
    storage,
    bucket: BUCKET,
    keyPrefix: KEY_PREFIX,
    roleArn: 'arn:aws:iam::111122223333:role/MediaConvertEchoSphere',
    pollIntervalMs: 20,
    maxPollIntervalMs: 200,
    ...overrides,
  });
}

/** Stores `seconds` of a conversation's chunks (user chirp, then assistant) under a new prefix. */
async function recordChunks(seconds: number, label = `org_${Math.random().toString(36).slice(2)}`): Promise<string> {
  const prefix = recordingPrefix(label, `sess_${Math.random().toString(36).slice(2)}`);
  const recorder = new Recorder({ storage, prefix, sampleRateHz: 16_000 });
  feed((pcm, at) => recorder.writeUser(pcm, at), chirp(seconds / 2 - 0.5, 16_000, 1), 0, 16_000);
  feed((pcm, at) => recorder.writeAssistant(pcm, at), chirp(seconds / 2 - 0.5, 16_000, 2), (seconds / 2) * 1000, 16_000);
  await recorder.finish(seconds * 1000);
  return prefix;
}

const s3Url = (key: string) => `${s3.endpoint}/${BUCKET}/${KEY_PREFIX}${key}`;

/** The transcoder has stored the id of the job it submitted (or found) for `prefix`. */
const jobRecorded = (prefix: string) =>
  waitFor(async () => (await storage.get(workKeys(prefix).marker)) !== undefined, 'the MediaConvert job id to be stored');

/**
 * A recording whose first transcode attempt has submitted its MediaConvert job and stored the job's id, the job held
 * unfinished (until `mediaConvert.release()`), so that a test can retry while it runs.
 */
async function firstAttemptWaitingOnItsJob() {
  const prefix = await recordChunks(5);
  mediaConvert.hold = true;
  const requestsBefore = mediaConvert.createJobRequests;
  const first = transcoder().finalize(prefix);
  await jobRecorded(prefix);
  return { prefix, requestsBefore, first };
}

test('a recording transcoded by MediaConvert through the transcode worker has the ffmpeg engine\'s ladder', async (t) => {
  const SECONDS = 13;
  const db = await openTestDatabase();
  const queue = new DatabaseQueue(db.knex, { pollIntervalMs: 50 });
  try {
    const { orgId, sessionId, prefix, row } = await insertEndedSessionRecording(db);
    const recorder = new Recorder({ storage, prefix, sampleRateHz: 16_000 });
    feed((pcm, at) => recorder.writeUser(pcm, at), chirp(6, 16_000, 1), 0, 16_000);
    feed((pcm, at) => recorder.writeAssistant(pcm, at), chirp(6, 16_000, 2), 6_500, 16_000);
    const { durationMs, chunkCount } = await recorder.finish(SECONDS * 1000);
    await db.tenant(orgId, (trx) => markRecordingProcessing(trx, orgId, row.id, durationMs));
    await startTranscodeWorker({ db, queue, transcoder: transcoder() });
    await enqueueTranscode(queue, { orgId, sessionId, recordingId: row.id });

    const recording = await waitForSettled(db, orgId, sessionId, 60_000);
    assert.equal(recording.status, 'ready', recording.failure_reason ?? undefined);
    assert.equal(recording.duration_ms, SECONDS * 1000);
    assert.deepEqual(recording.renditions?.items.map((item) => [item.name, item.channels, item.sample_rate_hz, item.codecs]), LADDER.map((r) => [r.name, r.channels, r.sampleRateHz, r.codecs]));
    const job = [...mediaConvert.jobs.values()].find((candidate) => candidate.userMetadata.echosphere_recording === prefix);
    assert.equal(job?.settings.inputs?.length, chunkCount, 'one MediaConvert input per stored chunk');

    // Our master playlist, with the ffmpeg engine's names and measured BANDWIDTH.
    const keys = recordingKeys(prefix);
    const parser = new Parser();
    parser.push((await storage.get(keys.master))!.toString('utf8'));
    parser.end();
    const master = parser.manifest as { playlists: { uri: string; attributes: { BANDWIDTH: number; CODECS: string } }[] };
    assert.deepEqual(master.playlists.map((variant) => variant.uri), LADDER.map((r) => `${r.name}/index.m3u8`));
    for (const [index, variant] of master.playlists.entries()) {
      const rendition = LADDER[index]!;
      assert.equal(variant.attributes.CODECS, 'mp4a.40.2');
      assert.equal(variant.attributes.BANDWIDTH, recording.renditions!.items[index]!.bandwidth);
      const media = new Parser();
      media.push((await storage.get(keys.playlist(rendition.name)))!.toString('utf8'));
      media.end();
      const segments = (media.manifest as { segments: { uri: string; duration: number }[] }).segments;
      for (const segment of segments) {
        assert.match(segment.uri, /^seg_\d{6}\.ts$/);
        const size = (await storage.list(`${prefix}hls/${rendition.name}/${segment.uri}`))[0]!.sizeBytes;
        assert.ok((size * 8) / segment.duration <= variant.attributes.BANDWIDTH, `${rendition.name}/${segment.uri} exceeds BANDWIDTH`);
      }
    }

    // MediaConvert's own files were moved into place; only the job record stays.
    const objects = (await storage.list(prefix)).map((object) => object.key);
    assert.deepEqual(objects.filter((key) => key.includes('/mediaconvert/')), [workKeys(prefix).marker]);
    assert.ok(objects.includes(keys.download));

    // The media itself is checked with ffprobe (Debian's ffmpeg package); without it the test says so instead of passing.
    if (!hasFfprobe) return t.skip('ffprobe is missing (apt-get install -y ffmpeg): the renditions and the download were not probed');
    for (const rendition of LADDER) {
      await assertRenditionMatches(s3Url(keys.playlist(rendition.name)), rendition, SECONDS);
    }
    await assertDownloadMatches(s3Url(keys.download), SECONDS);
  } finally {
    await queue.stop();
    await db.close();
  }
});

test('a retried transcode waits for the job already submitted (found by its stored id) instead of submitting another', async () => {
  const { prefix, requestsBefore, first } = await firstAttemptWaitingOnItsJob();
  const retry = transcoder().finalize(prefix);
  mediaConvert.release();
  const [a, b] = await Promise.all([first, retry]);
  assert.deepEqual(b, a);
  assert.equal(mediaConvert.createJobRequests, requestsBefore + 1);
  assert.equal([...mediaConvert.jobs.values()].filter((job) => job.userMetadata.echosphere_recording === prefix).length, 1);
  // Once finished, a further run returns the stored result without touching MediaConvert.
  assert.deepEqual(await transcoder().finalize(prefix), a);
  assert.equal(mediaConvert.createJobRequests, requestsBefore + 1);
});

test('a job submitted by an attempt that died before recording its id is found with ListJobs by its metadata', async () => {
  const { prefix, requestsBefore, first } = await firstAttemptWaitingOnItsJob();
  await storage.deleteMany([workKeys(prefix).marker]);
  const retry = transcoder().finalize(prefix);
  // The retry records the job it found before waiting on it.
  await jobRecorded(prefix);
  mediaConvert.release();
  const [a, b] = await Promise.all([first, retry]);
  assert.deepEqual(b, a);
  assert.equal(mediaConvert.createJobRequests, requestsBefore + 1);
});

test('past the input limit the chunks are joined into one WAV input, removed afterwards', async () => {
  const prefix = await recordChunks(13);
  const result = await transcoder({ maxInputs: 2 }).finalize(prefix);
  assert.equal(result.durationMs, 13_000);
  const job = [...mediaConvert.jobs.values()].find((candidate) => candidate.userMetadata.echosphere_recording === prefix)!;
  assert.deepEqual(job.settings.inputs?.map((input) => input.fileInput), [`s3://${BUCKET}/${KEY_PREFIX}${workKeys(prefix).joined}`]);
  assert.equal(await storage.get(workKeys(prefix).joined), undefined);
  assert.ok(job.outputGroupDetails?.every((group) => group.outputDetails.every((output) => Math.abs(output.durationInMs - 13_000) < 500)));
});

test('settings MediaConvert refuses and unreadable inputs fail the recording at once; retryable errors do not', async () => {
  const prefix = await recordChunks(9);
  await assert.rejects(transcoder({ roleArn: 'not-a-role' }).finalize(prefix), (error) => error instanceof PermanentTranscodeError && /rejected the job/.test(error.message));

  const broken = await recordChunks(9);
  mediaConvert.hold = true;
  const attempt = transcoder().finalize(broken);
  await jobRecorded(broken);
  await storage.deleteMany([recordingKeys(broken).chunk(1)]);
  mediaConvert.release();
  await assert.rejects(attempt, (error) => error instanceof PermanentTranscodeError && /error 1010/.test(error.message));

  const unreachable = new MediaConvertTranscoder({
    client: new MediaConvertClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, maxAttempts: 1 }),
    storage,
    bucket: BUCKET,
    keyPrefix: KEY_PREFIX,
    roleArn: 'arn:aws:iam::111122223333:role/MediaConvertEchoSphere',
  });
  await assert.rejects(unreachable.finalize(prefix), (error) => !(error instanceof PermanentTranscodeError));
});

test('the mediaconvert engine is refused without S3 storage or a role, and built when configured', () => {
  assert.throws(
    () => parseConfig({ ECHOSPHERE_TRANSCODE_ENGINE: 'mediaconvert', ECHOSPHERE_MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::111122223333:role/mc' }),
    (error) => error instanceof ConfigError && /ECHOSPHERE_STORAGE_DRIVER=s3/.test(error.message),
  );
  assert.throws(
    () => parseConfig({ ECHOSPHERE_TRANSCODE_ENGINE: 'mediaconvert', ECHOSPHERE_STORAGE_DRIVER: 's3', ECHOSPHERE_S3_BUCKET: 'media' }),
    (error) => error instanceof ConfigError && /ECHOSPHERE_MEDIACONVERT_ROLE_ARN/.test(error.message),
  );
  const config = parseConfig({
    ECHOSPHERE_TRANSCODE_ENGINE: 'mediaconvert',
    ECHOSPHERE_STORAGE_DRIVER: 's3',
    ECHOSPHERE_S3_BUCKET: 'media',
    ECHOSPHERE_MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::111122223333:role/mc',
    ECHOSPHERE_MEDIACONVERT_ENDPOINT: mediaConvert.endpoint,
  });
  assert.equal(createTranscoder(config, storage).engine, 'mediaconvert');
  assert.equal(createTranscoder(parseConfig({}), storage).engine, 'ffmpeg');
});

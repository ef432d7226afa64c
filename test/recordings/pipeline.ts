import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startSessionRecording } from '../../agent-runtime/recording/session-recording.ts';
import { ApiKeyCache } from '../../api/auth/api-key-cache.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { createApiApp } from '../../api/server.ts';
import { parseConfig } from '../../core/config.ts';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import { createLogger } from '../../core/logger.ts';
import { provisionOrganization } from '../../core/provisioning.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import { getRecordingForSession, type RecordingRow } from '../../core/repositories/recordings.ts';
import { MediaUrlSigner } from '../../core/storage/media-url-signer.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import { resolveFfmpeg } from '../../workers/transcode/ffmpeg-binary.ts';
import type { Rendition } from '../../workers/transcode/ladder.ts';
import { FfmpegTranscoder } from '../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';
import { chirp, feed, insertSession } from './support.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

const execFileAsync = promisify(execFile);

export const hasFfprobe = spawnSync('ffprobe', ['-version']).status === 0;

/** The api (with recording media) and a transcode worker over one database and storage. */
export async function startRecordingStack(db: Database, storage: ObjectStorage) {
  const config = parseConfig({ LOG_LEVEL: 'error', LOG_FORMAT: 'json', ECHOSPHERE_RATE_LIMIT_REQUESTS: '100000' });
  const secretBox = new SecretBox(randomBytes(32));
  const urls = new MediaUrlSigner(randomBytes(32));
  const deps: ApiDeps = {
    db,
    config,
    logger: createLogger({ level: 'error', format: 'json' }),
    secretBox,
    apiKeyCache: new ApiKeyCache(0),
    media: { storage, urls },
  };
  const server = http.createServer(createApiApp(deps));
  const port = await listenOnLoopback(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  const queue: JobQueue = new DatabaseQueue(db.knex, { pollIntervalMs: 50 });
  const transcoder = new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(), storage });
  await startTranscodeWorker({ db, queue, transcoder, concurrency: 2 });
  return {
    baseUrl,
    urls,
    queue,
    storage,
    createOrganization: async (name: string) => {
      const { org, secretKey } = await provisionOrganization(db, secretBox, name);
      return { orgId: org.id, secretKey };
    },
    /** Records `seconds` of a conversation (user chirp, then an assistant reply) and waits for the transcode. */
    record: async (orgId: string, seconds: number) => {
      const sessionId = await insertSession(db, orgId, 'ended');
      const recording = await startSessionRecording({ db, storage, queue }, { orgId, sessionId, sampleRateHz: 16_000 });
      const half = seconds / 2;
      feed((pcm, at) => recording.writeUser(pcm, at), chirp(half - 0.5, 16_000, 1), 0, 16_000);
      feed((pcm, at) => recording.writeAssistant(pcm, at), chirp(half - 0.5, 16_000, 2), half * 1000, 16_000);
      await recording.finish(seconds * 1000);
      return { sessionId, recording: await waitForSettled(db, orgId, sessionId) };
    },
    async close() {
      await queue.stop();
      await closeServer(server);
    },
  };
}

export async function waitForSettled(db: Database, orgId: string, sessionId: string, timeoutMs = 180_000): Promise<RecordingRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.tenant(orgId, (trx) => getRecordingForSession(trx, orgId, sessionId));
    if (row && (row.status === 'ready' || row.status === 'failed')) return row;
    if (Date.now() > deadline) throw new Error(`Recording of ${sessionId} still ${row?.status ?? 'missing'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One HLS rendition against its ladder step: AAC-LC, channels, sample rate, duration within 0.5 s, bit rate within 20 %. */
export async function assertRenditionMatches(url: string, rendition: Rendition, durationS: number): Promise<void> {
  const probe = (await ffprobeJson(url, 'stream=codec_name,profile,channels,sample_rate:format=duration')) as {
    streams: { codec_name: string; profile: string; channels: number; sample_rate: string }[];
    format: { duration: string };
  };
  assert.equal(probe.streams[0]!.codec_name, 'aac');
  assert.equal(probe.streams[0]!.profile, 'LC');
  assert.equal(probe.streams[0]!.channels, rendition.channels);
  assert.equal(Number(probe.streams[0]!.sample_rate), rendition.sampleRateHz);
  assert.ok(Math.abs(Number(probe.format.duration) - durationS) <= 0.5, `${rendition.name} lasts ${probe.format.duration} s`);
  const packets = (await ffprobeJson(url, 'packet=size')) as { packets: { size: string }[] };
  const bitrate = (packets.packets.reduce((sum, packet) => sum + Number(packet.size), 0) * 8) / durationS;
  assert.ok(Math.abs(bitrate - rendition.bitrateBps) / rendition.bitrateBps < 0.2, `${rendition.name}: ${bitrate} b/s`);
}

/** The download: stereo AAC in MP4, duration within 0.5 s. */
export async function assertDownloadMatches(url: string, durationS: number): Promise<void> {
  const download = (await ffprobeJson(url, 'stream=codec_name,channels:format=duration,format_name')) as {
    streams: { codec_name: string; channels: number }[];
    format: { duration: string; format_name: string };
  };
  assert.equal(download.streams[0]!.codec_name, 'aac');
  assert.equal(download.streams[0]!.channels, 2);
  assert.match(download.format.format_name, /mp4/);
  assert.ok(Math.abs(Number(download.format.duration) - durationS) <= 0.5);
}

/** ffprobe as a child process; asynchronous, because the URLs it reads may be served by this very process. */
export async function ffprobeJson(target: string, entries: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'json', target], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

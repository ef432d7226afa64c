import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { FfmpegTranscoder } from '../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';
import { chirp, feed, insertSession } from './support.ts';

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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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

/** ffprobe as a child process; asynchronous, because the URLs it reads may be served by this very process. */
export async function ffprobeJson(target: string, entries: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'json', target], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

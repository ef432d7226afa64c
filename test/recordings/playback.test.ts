import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Parser } from 'm3u8-parser';
import { startSessionRecording } from '../../agent-runtime/recording/session-recording.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { RECORDING_SAMPLE_RATE_HZ, SEGMENT_SAMPLES, recordingKeys, recordingPrefix } from '../../core/storage/recording-layout.ts';
import { updateOrganization } from '../../core/repositories/organizations.ts';
import { runRetentionPass } from '../../workers/retention/retention-job.ts';
import { LADDER } from '../../workers/transcode/ladder.ts';
import { openTestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait-for.ts';
import { assertDownloadMatches, assertRenditionMatches, hasFfprobe, startRecordingStack, waitForSettled } from './pipeline.ts';
import { chirp, feed, insertSession, temporaryFolder } from './support.ts';

const folder = temporaryFolder('playback');
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let stack: Awaited<ReturnType<typeof startRecordingStack>>;
let orgA: { orgId: string; secretKey: string };
let orgB: { orgId: string; secretKey: string };
let sessionId: string;

const DURATION_S = 21;

before(async () => {
  db = await openTestDatabase();
  stack = await startRecordingStack(db, new LocalStorage(folder));
  orgA = await stack.createOrganization('A');
  orgB = await stack.createOrganization('B');
  const made = await stack.record(orgA.orgId, DURATION_S);
  sessionId = made.sessionId;
  assert.equal(made.recording.status, 'ready', made.recording.failure_reason ?? undefined);
});

after(async () => {
  await stack.close();
  await db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

const api = (key: string, pathName: string, init: RequestInit = {}) =>
  fetch(`${stack.baseUrl}${pathName}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });

interface PublicRecording {
  status: string;
  duration_ms: number;
  playback: { hls_url: string; expires_at: string } | null;
  renditions: { name: string; bandwidth: number; codecs: string; channels: number; sample_rate_hz: number; hls_url: string }[];
  download_url: string | null;
  expires_at: string | null;
}

async function getRecording(): Promise<PublicRecording> {
  const response = await api(orgA.secretKey, `/v1/sessions/${sessionId}/recording`);
  assert.equal(response.status, 200);
  return (await response.json()) as PublicRecording;
}

function parsePlaylist(text: string) {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as {
    playlists?: { uri: string; attributes: { BANDWIDTH: number; CODECS: string } }[];
    segments: { uri: string; duration: number }[];
    endList?: boolean;
    targetDuration?: number;
  };
}

/** GET with the path sent exactly as written (fetch would normalise "..", which is what an attacker avoids). */
function rawGet(url: string): Promise<number> {
  const { hostname, port } = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path: url.slice(stack.baseUrl.length) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('a ready recording exposes a signed master playlist whose renditions parse and play through', async () => {
  const recording = await getRecording();
  assert.equal(recording.status, 'ready');
  assert.ok(Math.abs(recording.duration_ms - DURATION_S * 1000) <= 1);
  assert.ok(recording.playback);
  assert.ok(Date.parse(recording.playback.expires_at) > Date.now() + 3000_000);
  assert.deepEqual(recording.renditions.map((r) => r.name), LADDER.map((r) => r.name));

  const masterResponse = await fetch(recording.playback.hls_url);
  assert.equal(masterResponse.status, 200);
  assert.match(masterResponse.headers.get('content-type') ?? '', /mpegurl/);
  const master = parsePlaylist(await masterResponse.text());
  assert.equal(master.playlists?.length, 3);
  for (const [index, variant] of (master.playlists ?? []).entries()) {
    assert.equal(variant.attributes.CODECS, 'mp4a.40.2');
    const mediaUrl = new URL(variant.uri, recording.playback.hls_url).toString();
    assert.equal(mediaUrl, recording.renditions[index]!.hls_url);
    const media = parsePlaylist(await (await fetch(mediaUrl)).text());
    assert.ok(media.endList);
    assert.equal(media.targetDuration, 4);
    const total = media.segments.reduce((sum, segment) => sum + segment.duration, 0);
    assert.ok(Math.abs(total - DURATION_S) < 0.01);
    // BANDWIDTH is the peak segment bit rate: no segment may exceed it.
    for (const segment of media.segments) {
      const response = await fetch(new URL(segment.uri, mediaUrl));
      assert.equal(response.status, 200);
      const bits = (await response.arrayBuffer()).byteLength * 8;
      assert.ok(bits / segment.duration <= variant.attributes.BANDWIDTH, `${segment.uri} exceeds BANDWIDTH`);
    }
  }
  const download = await fetch(recording.download_url!);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'audio/mp4');
});

test('each rendition has the codec, channels, bit rate and duration of its ladder step (ffprobe)', { skip: !hasFfprobe && 'ffprobe not installed (apt-get install ffmpeg)' }, async () => {
  const recording = await getRecording();
  for (const [index, rendition] of LADDER.entries()) {
    await assertRenditionMatches(recording.renditions[index]!.hls_url, rendition, DURATION_S);
  }
  await assertDownloadMatches(recording.download_url!, DURATION_S);
});

test('recording.ready was recorded in the outbox with the status change', async () => {
  const events = await db.tenant(orgA.orgId, (trx) => trx('events').where({ org_id: orgA.orgId, type: 'recording.ready', session_id: sessionId }));
  assert.equal(events.length, 1);
});

test('forged, expired, other-tenant and path-traversal media URLs are refused', async () => {
  const recording = await getRecording();
  const master = recording.playback!.hls_url;
  const match = /\/media\/([^/]+)\/([^/]+)\/(\d+)\/([^/]+)\//.exec(master)!;
  const [, orgId, session, expires, signature] = match;
  const flipped = signature!.slice(0, -1) + (signature!.endsWith('A') ? 'B' : 'A');
  assert.equal((await fetch(master.replace(signature!, flipped))).status, 403);
  assert.equal((await fetch(master.replace(`/${expires}/`, `/${Number(expires) + 3600}/`))).status, 403);
  const expired = stack.urls.signedBase(stack.baseUrl, orgId!, session!, Math.floor(Date.now() / 1000) - 1);
  const expiredResponse = await fetch(`${expired}hls/master.m3u8`);
  assert.equal(expiredResponse.status, 403);
  assert.equal(((await expiredResponse.json()) as { error: { type: string } }).error.type, 'permission');
  // Another organization's id with this signature, and another organization's own API key.
  assert.equal((await fetch(master.replace(orgId!, orgB.orgId))).status, 403);
  assert.equal((await api(orgB.secretKey, `/v1/sessions/${sessionId}/recording`)).status, 404);
  const signedBase = master.slice(0, master.indexOf('hls/master.m3u8'));
  for (const attempt of ['hls/../chunks/000000.wav', 'hls/%2e%2e/chunks/000000.wav', '..%2f..%2f..%2fetc%2fpasswd', 'chunks/000000.wav', 'hls/aac_64k_stereo/..%2f..%2fchunks%2f000000.wav']) {
    const status = await rawGet(signedBase + attempt);
    assert.ok(status === 404 || status === 400, `${attempt} answered ${status}`);
  }
});

test('DELETE removes the media, marks the recording deleted, and its URLs stop working', async () => {
  const made = await stack.record(orgA.orgId, 5);
  const before = (await (await api(orgA.secretKey, `/v1/sessions/${made.sessionId}/recording`)).json()) as PublicRecording;
  const response = await api(orgA.secretKey, `/v1/sessions/${made.sessionId}/recording`, { method: 'DELETE' });
  assert.equal(response.status, 200);
  const deleted = (await response.json()) as PublicRecording;
  assert.equal(deleted.status, 'deleted');
  assert.equal(deleted.playback, null);
  assert.equal((await fetch(before.playback!.hls_url)).status, 404);
  assert.equal(fs.existsSync(path.join(folder, 'orgs', orgA.orgId, 'sessions', made.sessionId)), false);
});

test('the retention pass deletes recordings older than their organization keeps them, and only those', async () => {
  const old = await stack.record(orgB.orgId, 5);
  const recent = await stack.record(orgA.orgId, 5);
  await db.system((trx) => trx('recordings').whereIn('session_id', [old.sessionId, recent.sessionId]).update({ created_at: new Date(Date.now() - 10 * 86_400_000) }));
  await db.system((trx) => updateOrganization(trx, orgB.orgId, { settings: { recording_retention_days: 7 } }));
  const result = await runRetentionPass({ db, storage: stack.storage, queue: stack.queue });
  assert.ok(result.deleted >= 1);
  const rows = await db.system((trx) => trx('recordings').whereIn('session_id', [old.sessionId, recent.sessionId]));
  const statusOf = (id: string) => rows.find((row: { session_id: string }) => row.session_id === id)?.status;
  assert.equal(statusOf(old.sessionId), 'deleted');
  assert.equal(statusOf(recent.sessionId), 'ready'); // org A keeps the default 30 days
  assert.deepEqual(await stack.storage.list(old.recording.source_key), []);
  assert.ok((await stack.storage.list(recent.recording.source_key)).length > 0);
});

test('a recording whose recorder died mid-session is recovered from the chunks that reached storage, and plays', async () => {
  const sessionId = await insertSession(db, orgA.orgId, 'ended');
  const chunksKey = recordingKeys(recordingPrefix(orgA.orgId, sessionId)).chunks;
  const recording = await startSessionRecording(
    { db, storage: stack.storage, queue: stack.queue },
    { orgId: orgA.orgId, sessionId, sampleRateHz: 16_000, progressive: false },
  );
  // 10 s of a call, then the process dies: finish() never runs, the tail still in memory is lost.
  feed((pcm, at) => recording.writeUser(pcm, at), chirp(10, 16_000, 1), 0, 16_000);
  const chunks = await waitFor(async () => {
    const listed = await stack.storage.list(chunksKey);
    return listed.length >= 2 ? listed : undefined;
  }, 'two chunks in storage');
  const retention = { db, storage: stack.storage, queue: stack.queue };
  assert.equal((await runRetentionPass(retention)).recovered, 0, 'a session that ended just now may still be finishing');

  await db.system((trx) => trx('sessions').where({ id: sessionId }).update({ ended_at: new Date(Date.now() - 5 * 60_000) }));
  assert.equal((await runRetentionPass(retention)).recovered, 1);
  const recovered = await waitForSettled(db, orgA.orgId, sessionId, 30_000);
  assert.equal(recovered.status, 'ready', recovered.failure_reason ?? undefined);
  const storedS = (chunks.length * SEGMENT_SAMPLES) / RECORDING_SAMPLE_RATE_HZ;
  assert.equal(recovered.duration_ms, Math.round(storedS * 1000));
  const playlist = await stack.storage.get(recovered.renditions!.master_key);
  assert.ok(playlist?.toString('utf8').startsWith('#EXTM3U'));
  assert.equal((await runRetentionPass(retention)).recovered, 0, 'recovered once');
});

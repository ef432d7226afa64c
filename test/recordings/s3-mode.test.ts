import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { Parser } from 'm3u8-parser';
import { S3Client } from '@aws-sdk/client-s3';
import { S3Storage } from '../../core/storage/s3-storage.ts';
import { startFakeS3, type FakeS3 } from '../fakes/s3-server.ts';
import { openTestDatabase } from '../support/database.ts';
import { startRecordingStack } from './pipeline.ts';

let s3: FakeS3;
let storage: S3Storage;

before(async () => {
  s3 = await startFakeS3();
  storage = new S3Storage({
    bucket: 'media',
    region: 'us-east-1',
    prefix: 'echosphere/',
    client: new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    }),
  });
});

after(() => s3.close());

test('objects round-trip through the AWS SDK: put, multipart stream, list, presigned get, delete', async () => {
  await storage.put('orgs/o/a.txt', Buffer.from('hello'));
  const big = Buffer.alloc(12 * 1024 * 1024 + 123, 7);
  const multipartBefore = s3.completedMultipartUploads;
  await storage.putStream('orgs/o/big.bin', Readable.from([big.subarray(0, 3_000_000), big.subarray(3_000_000)]));
  assert.equal(s3.completedMultipartUploads, multipartBefore + 1);
  assert.equal((await storage.get('orgs/o/big.bin'))!.equals(big), true);
  assert.deepEqual(await storage.list('orgs/o/'), [
    { key: 'orgs/o/a.txt', sizeBytes: 5 },
    { key: 'orgs/o/big.bin', sizeBytes: big.length },
  ]);
  const url = await storage.presignGet('orgs/o/a.txt', 60, 'a.txt');
  assert.match(url, /X-Amz-Signature=/);
  assert.equal(await (await fetch(url)).text(), 'hello');
  assert.equal(await storage.get('orgs/o/missing'), undefined);
  await storage.deleteMany(['orgs/o/a.txt', 'orgs/o/big.bin']);
  assert.deepEqual(await storage.list('orgs/o/'), []);
});

test('in S3 mode the api serves playlists whose segment URIs are presigned S3 URLs', async () => {
  const db = await openTestDatabase();
  const stack = await startRecordingStack(db, storage);
  try {
    const org = await stack.createOrganization('S3');
    const made = await stack.record(org.orgId, 9);
    assert.equal(made.recording.status, 'ready', made.recording.failure_reason ?? undefined);
    const response = await fetch(`${stack.baseUrl}/v1/sessions/${made.sessionId}/recording`, {
      headers: { authorization: `Bearer ${org.secretKey}` },
    });
    const recording = (await response.json()) as { playback: { hls_url: string }; renditions: { hls_url: string }[]; download_url: string };
    assert.ok(recording.playback.hls_url.startsWith(stack.baseUrl));
    assert.ok(recording.download_url.startsWith(s3.endpoint), 'the download is a presigned S3 URL');
    assert.equal((await fetch(recording.download_url)).status, 200);

    const media = await (await fetch(recording.renditions[0]!.hls_url)).text();
    const parser = new Parser();
    parser.push(media);
    parser.end();
    const segments = (parser.manifest as { segments: { uri: string }[] }).segments;
    assert.equal(segments.length, 3);
    for (const segment of segments) {
      assert.ok(segment.uri.startsWith(`${s3.endpoint}/media/echosphere/orgs/${org.orgId}/`), segment.uri);
      assert.match(segment.uri, /X-Amz-Expires=\d+/);
      const body = await fetch(segment.uri);
      assert.equal(body.status, 200);
      assert.equal(new Uint8Array(await body.arrayBuffer())[0], 0x47, 'an MPEG-TS packet');
    }
    const objects = [...s3.objects.keys()].filter((key) => key.includes(made.sessionId));
    assert.ok(objects.some((key) => key.endsWith('hls/master.m3u8')));
    assert.ok(objects.some((key) => key.endsWith('download.m4a')));
  } finally {
    await stack.close();
    await db.close();
  }
});

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, afterEach, before, test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { startFakeS3, type FakeS3 } from '../../test/fakes/s3-server.ts';
import { S3Storage } from './s3-storage.ts';

/** The storage adapter through the real AWS SDK against the S3 fake, where S3 fails the ways it does in production. */

const BUCKET = 'media';
const PREFIX = 'echosphere/';
const MIB = 1024 * 1024;

let s3: FakeS3;
let storage: S3Storage;

before(async () => {
  s3 = await startFakeS3();
  storage = new S3Storage({
    bucket: BUCKET,
    region: 'us-east-1',
    prefix: PREFIX,
    // The smallest part S3 allows, so a 6 MiB body is a multipart upload of two parts.
    partSizeBytes: 5 * MIB,
    client: new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }),
  });
});

afterEach(() => {
  s3.undeletableKeys.clear();
  s3.objects.clear();
});

after(() => s3.close());

const keysUnder = (folder: string, count: number) => Array.from({ length: count }, (_, i) => `orgs/o/${folder}/${String(i).padStart(5, '0')}.ts`);
const requestsSince = (start: number, operation: string) => s3.requests.slice(start).filter((request) => request.operation === operation);

async function putAll(keys: string[]): Promise<void> {
  for (const key of keys) s3.objects.set(`${BUCKET}/${PREFIX}${key}`, { body: Buffer.from(key), contentType: 'video/mp2t', etag: '"x"' });
}

test('deleting more keys than one DeleteObjects request takes sends them in batches of at most 1000', async () => {
  const keys = keysUnder('many', 2500);
  await putAll(keys);
  const start = s3.requests.length;
  await storage.deleteMany(keys);
  assert.deepEqual(requestsSince(start, 'DeleteObjects').map((request) => request.keys), [1000, 1000, 500]);
  assert.deepEqual(await storage.list('orgs/o/many/'), []);
});

test('a key S3 refuses to delete fails the deletion, naming the key, and the others are deleted', async () => {
  const keys = keysUnder('refused', 3);
  await putAll(keys);
  s3.undeletableKeys.add(`${BUCKET}/${PREFIX}${keys[1]}`);
  await assert.rejects(storage.deleteMany(keys), new RegExp(`S3 refused to delete 1 of 3 objects: ${PREFIX}${keys[1]} \\(AccessDenied: Access Denied\\)`));
  assert.deepEqual(await storage.list('orgs/o/refused/'), [{ key: keys[1], sizeBytes: keys[1]!.length }]);
});

test('one 500 is retried by the SDK and the request succeeds; a 503 on every attempt surfaces', async () => {
  let start = s3.requests.length;
  s3.failRequest('PutObject', { status: 500, times: 1 });
  await storage.put('orgs/o/retried.txt', Buffer.from('kept'));
  assert.equal(requestsSince(start, 'PutObject').length, 2, 'the refused request and its retry');
  assert.equal((await storage.get('orgs/o/retried.txt'))?.toString(), 'kept');

  start = s3.requests.length;
  s3.failRequest('DeleteObjects', { status: 503, times: 10 });
  await assert.rejects(storage.deleteMany(['orgs/o/retried.txt']), (error: Error) => error.name === 'SlowDown');
  assert.equal(requestsSince(start, 'DeleteObjects').length, 3, "the SDK's three attempts");
  s3.failRequest('DeleteObjects', { times: 0 });
  assert.equal((await storage.get('orgs/o/retried.txt'))?.toString(), 'kept', 'nothing was deleted');
});

test('a multipart upload whose part fails for good is aborted, leaving no upload open and no object', async () => {
  const start = s3.requests.length;
  s3.failRequest('UploadPart', { status: 500, times: 10 });
  const body = Readable.from([Buffer.alloc(6 * MIB, 1)]);
  await assert.rejects(storage.putStream('orgs/o/failed.bin', body), (error: Error) => error.name === 'InternalError');
  s3.failRequest('UploadPart', { times: 0 });
  assert.equal(requestsSince(start, 'AbortMultipartUpload').length, 1);
  assert.deepEqual(s3.openMultipartUploads(), []);
  assert.equal(await storage.get('orgs/o/failed.bin'), undefined);
});

test('a multipart upload whose source stream breaks after a part is aborted', async () => {
  async function* breaking() {
    yield Buffer.alloc(6 * MIB, 2);
    throw new Error('the recording file was truncated');
  }
  await assert.rejects(storage.putStream('orgs/o/broken.bin', Readable.from(breaking())), /the recording file was truncated/);
  assert.deepEqual(s3.openMultipartUploads(), []);
  assert.equal(await storage.get('orgs/o/broken.bin'), undefined);
});

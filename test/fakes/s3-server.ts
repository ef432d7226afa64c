import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

/**
 * An in-memory S3-compatible server speaking the REST protocol the AWS SDK uses (path-style addressing):
 * PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, ListObjectsV2, and multipart uploads
 * (Create / UploadPart / Complete / Abort). SigV4 headers and presigned query strings are accepted without checking
 * the signature, but a presigned URL past its X-Amz-Expires is refused like S3 does. aws-chunked bodies (the SDK's
 * streaming checksums) are decoded.
 *
 * It fails the way S3 does: DeleteObjects with more than 1000 keys is a 400 MalformedXML, keys named in
 * `undeletableKeys` come back as per-key errors in a DeleteObjects result (and stay), a multipart upload completed
 * with parts missing, out of order, with a wrong ETag or too small is refused, and `failRequest` answers the next
 * requests of an operation with a 5xx.
 */
export interface FakeS3 {
  endpoint: string;
  objects: Map<string, { body: Buffer; contentType: string; etag: string }>;
  /** Every request, in order, by its S3 operation name; `keys` is the key count of a DeleteObjects request. */
  requests: Array<{ operation: S3Operation; key: string; keys?: number }>;
  /** Completed multipart uploads, for tests that want to see one happened. */
  completedMultipartUploads: number;
  /** Multipart uploads created and neither completed nor aborted (they would cost storage on S3). */
  openMultipartUploads(): Array<{ key: string; parts: number }>;
  /** Objects, as `bucket/key`, that DeleteObjects reports as AccessDenied instead of deleting. */
  undeletableKeys: Set<string>;
  /** Answers the next `times` requests of `operation` with `status` (500 InternalError, 503 SlowDown) instead. */
  failRequest(operation: S3Operation, options?: { status?: 500 | 503; times?: number }): void;
  close(): Promise<void>;
}

type S3Operation =
  | 'ListObjectsV2'
  | 'DeleteObjects'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'Unsupported';

/** DeleteObjects takes at most this many keys per request. */
const MAX_DELETE_KEYS = 1000;
const MIN_PART_BYTES = 5 * 1024 * 1024;

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  parts: Map<number, Buffer>;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;
const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

function operationOf(method: string | undefined, key: string, q: URLSearchParams): S3Operation {
  if (!key) {
    if (method === 'GET' && q.get('list-type') === '2') return 'ListObjectsV2';
    return method === 'POST' && q.has('delete') ? 'DeleteObjects' : 'Unsupported';
  }
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (q.has('uploadId')) {
    const byMethod: Record<string, S3Operation> = { PUT: 'UploadPart', POST: 'CompleteMultipartUpload', DELETE: 'AbortMultipartUpload' };
    return byMethod[method ?? ''] ?? 'Unsupported';
  }
  const byMethod: Record<string, S3Operation> = { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' };
  return byMethod[method ?? ''] ?? 'Unsupported';
}

function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.toString('ascii', offset, lineEnd).split(';')[0]!, 16);
    offset = lineEnd + 2;
    if (!size) break;
    out.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  return Buffer.concat(out);
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects: FakeS3['objects'] = new Map();
  const uploads = new Map<string, Upload>();
  const state = { completedMultipartUploads: 0 };
  const requests: FakeS3['requests'] = [];
  const undeletableKeys = new Set<string>();
  const failures = new Map<S3Operation, { status: number; times: number }>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Buffer = Buffer.concat(chunks);
    const encoding = String(req.headers['content-encoding'] ?? '');
    const sha = String(req.headers['x-amz-content-sha256'] ?? '');
    if (encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')) body = decodeAwsChunked(body);

    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [bucketPart, ...keyParts] = url.pathname.slice(1).split('/');
    const bucket = decodeURIComponent(bucketPart ?? '');
    const key = keyParts.map(decodeURIComponent).join('/');
    const id = `${bucket}/${key}`;
    const q = url.searchParams;
    const send = (status: number, payload = '', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID(), ...headers });
      res.end(payload);
    };
    const error = (status: number, code: string, message: string) =>
      send(status, xml(`<Error><Code>${code}</Code><Message>${escape(message)}</Message><Key>${escape(key)}</Key></Error>`));

    const operation = operationOf(req.method, key, q);
    const deleteKeys = operation === 'DeleteObjects' ? [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => unescape(match[1]!)) : undefined;
    requests.push({ operation, key, ...(deleteKeys ? { keys: deleteKeys.length } : {}) });
    const failure = failures.get(operation);
    if (failure && failure.times > 0) {
      failure.times--;
      return failure.status === 503 ? error(503, 'SlowDown', 'Please reduce your request rate.') : error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    }

    const presignedDate = q.get('X-Amz-Date');
    if (presignedDate && q.get('X-Amz-Expires')) {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(presignedDate);
      const signedAt = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : 0;
      if (Date.now() > signedAt + Number(q.get('X-Amz-Expires')) * 1000) return error(403, 'AccessDenied', 'Request has expired');
    }

    if (!key) {
      if (req.method === 'GET' && q.get('list-type') === '2') {
        const prefix = q.get('prefix') ?? '';
        const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000));
        const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
        const matching = [...objects.keys()]
          .filter((objectId) => objectId.startsWith(`${bucket}/`))
          .map((objectId) => objectId.slice(bucket.length + 1))
          .filter((objectKey) => objectKey.startsWith(prefix) && objectKey > after)
          .sort();
        const page = matching.slice(0, maxKeys);
        const truncated = matching.length > page.length;
        const contents = page
          .map((objectKey) => {
            const object = objects.get(`${bucket}/${objectKey}`)!;
            return `<Contents><Key>${escape(objectKey)}</Key><LastModified>${new Date().toISOString()}</LastModified><ETag>${escape(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
          })
          .join('');
        return send(
          200,
          xml(
            `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escape(bucket)}</Name><Prefix>${escape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${truncated ? `<NextContinuationToken>${escape(page[page.length - 1]!)}</NextContinuationToken>` : ''}</ListBucketResult>`,
          ),
        );
      }
      if (deleteKeys) {
        // S3 refuses the whole request, deleting nothing, when it names more keys than it may.
        if (deleteKeys.length > MAX_DELETE_KEYS) {
          return error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        }
        const refused = deleteKeys.filter((objectKey) => undeletableKeys.has(`${bucket}/${objectKey}`));
        const removed = deleteKeys.filter((objectKey) => !undeletableKeys.has(`${bucket}/${objectKey}`));
        for (const objectKey of removed) objects.delete(`${bucket}/${objectKey}`);
        // Quiet mode leaves out what was deleted, never the errors.
        const quiet = /<Quiet>true<\/Quiet>/.test(body.toString('utf8'));
        const deleted = quiet ? '' : removed.map((objectKey) => `<Deleted><Key>${escape(objectKey)}</Key></Deleted>`).join('');
        const errors = refused.map((objectKey) => `<Error><Key>${escape(objectKey)}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`).join('');
        return send(200, xml(`<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}${errors}</DeleteResult>`));
      }
      return error(400, 'NotImplemented', 'Unsupported bucket operation');
    }

    if (req.method === 'POST' && q.has('uploads')) {
      const uploadId = randomUUID();
      uploads.set(uploadId, { bucket, key, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), parts: new Map() });
      return send(200, xml(`<InitiateMultipartUploadResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`));
    }
    const uploadId = q.get('uploadId');
    if (uploadId) {
      const upload = uploads.get(uploadId);
      if (!upload || upload.bucket !== bucket || upload.key !== key) return error(404, 'NoSuchUpload', 'The specified upload does not exist');
      if (req.method === 'PUT') {
        const partNumber = Number(q.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) return error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
        upload.parts.set(partNumber, body);
        return send(200, '', { etag: etagOf(body) });
      }
      if (req.method === 'DELETE') {
        uploads.delete(uploadId);
        return send(204);
      }
      if (req.method === 'POST') {
        const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => ({
          number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(match[1]!)?.[1]),
          etag: unescape(/<ETag>([^<]*)<\/ETag>/.exec(match[1]!)?.[1] ?? ''),
        }));
        if (listed.length === 0) return error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        if (listed.some((part, index) => index > 0 && part.number <= listed[index - 1]!.number)) return error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
        const parts = listed.map((part) => upload.parts.get(part.number));
        if (listed.some((part, index) => !parts[index] || etagOf(parts[index]) !== part.etag)) return error(400, 'InvalidPart', 'One or more of the specified parts could not be found');
        if (parts.slice(0, -1).some((part) => part!.length < MIN_PART_BYTES)) return error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size');
        const object = Buffer.concat(parts as Buffer[]);
        const etag = `"${createHash('md5').update(object).digest('hex')}-${parts.length}"`;
        objects.set(id, { body: object, contentType: upload.contentType, etag });
        uploads.delete(uploadId);
        state.completedMultipartUploads++;
        return send(200, xml(`<CompleteMultipartUploadResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key)}</Key><ETag>${escape(etag)}</ETag></CompleteMultipartUploadResult>`));
      }
    }
    if (req.method === 'PUT') {
      const etag = etagOf(body);
      objects.set(id, { body, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), etag });
      return send(200, '', { etag });
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const object = objects.get(id);
      if (!object) return req.method === 'HEAD' ? send(404) : error(404, 'NoSuchKey', 'The specified key does not exist.');
      const disposition = q.get('response-content-disposition');
      res.writeHead(200, {
        'content-type': object.contentType,
        'content-length': String(object.body.length),
        etag: object.etag,
        'last-modified': new Date().toUTCString(),
        'access-control-allow-origin': '*',
        ...(disposition ? { 'content-disposition': disposition } : {}),
      });
      return res.end(req.method === 'HEAD' ? undefined : object.body);
    }
    if (req.method === 'DELETE') {
      objects.delete(id);
      return send(204);
    }
    return error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    get completedMultipartUploads() {
      return state.completedMultipartUploads;
    },
    openMultipartUploads: () => [...uploads.values()].map((upload) => ({ key: upload.key, parts: upload.parts.size })),
    undeletableKeys,
    failRequest(operation, { status = 500, times = 1 } = {}) {
      failures.set(operation, { status, times });
    },
    async close() {
      await closeServer(server);
    },
  };
}

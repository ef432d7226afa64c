import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory S3-compatible server speaking the REST protocol the AWS SDK uses (path-style addressing):
 * PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, ListObjectsV2, and multipart uploads
 * (Create / UploadPart / Complete / Abort). SigV4 headers and presigned query strings are accepted without checking
 * the signature, but a presigned URL past its X-Amz-Expires is refused like S3 does. aws-chunked bodies (the SDK's
 * streaming checksums) are decoded.
 */
export interface FakeS3 {
  endpoint: string;
  objects: Map<string, { body: Buffer; contentType: string; etag: string }>;
  /** Completed multipart uploads, for tests that want to see one happened. */
  completedMultipartUploads: number;
  close(): Promise<void>;
}

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  parts: Map<number, Buffer>;
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

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
      if (req.method === 'POST' && q.has('delete')) {
        const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) =>
          match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
        );
        for (const objectKey of keys) objects.delete(`${bucket}/${objectKey}`);
        const quiet = /<Quiet>true<\/Quiet>/.test(body.toString('utf8'));
        const deleted = quiet ? '' : keys.map((objectKey) => `<Deleted><Key>${escape(objectKey)}</Key></Deleted>`).join('');
        return send(200, xml(`<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}</DeleteResult>`));
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
        upload.parts.set(Number(q.get('partNumber')), body);
        return send(200, '', { etag: etagOf(body) });
      }
      if (req.method === 'DELETE') {
        uploads.delete(uploadId);
        return send(204);
      }
      if (req.method === 'POST') {
        const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1]));
        const parts = numbers.map((n) => upload.parts.get(n));
        if (parts.some((part) => !part)) return error(400, 'InvalidPart', 'One or more of the specified parts could not be found');
        if (parts.slice(0, -1).some((part) => part!.length < 5 * 1024 * 1024)) return error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size');
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    get completedMultipartUploads() {
      return state.completedMultipartUploads;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

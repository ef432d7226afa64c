import type { Readable } from 'node:stream';

/**
 * Where media lives. Keys are `/`-separated relative paths, scoped `orgs/{org}/sessions/{session}/…` (a session's
 * recording, see recording-layout.ts) or `orgs/{org}/test-suites/{suite}/…` (a suite's recorded caller clips, see
 * core/test-suites/caller-clips.ts), so one prefix holds everything of what it names.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, contentType?: string): Promise<void>;
  /** Streams a body of unknown length; S3 uses a multipart upload so large files never sit in memory. */
  putStream(key: string, body: Readable, contentType?: string): Promise<void>;
  /** The whole object, or undefined when it does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  getStream(key: string): Promise<{ body: Readable; sizeBytes: number } | undefined>;
  /** Objects under a prefix, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  deleteMany(keys: string[]): Promise<void>;
  /** A time-limited direct URL to one object, or undefined when the backend has none (local files). */
  presignGet(key: string, expiresInS: number, downloadName?: string): Promise<string | undefined>;
}

export interface StoredObject {
  key: string;
  sizeBytes: number;
}

/** Refuses keys that could escape their prefix on a filesystem or confuse a listing. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`Unsafe storage key: ${JSON.stringify(key)}`);
  }
}

export async function deletePrefix(storage: ObjectStorage, prefix: string): Promise<number> {
  const objects = await storage.list(prefix);
  await storage.deleteMany(objects.map((object) => object.key));
  return objects.length;
}

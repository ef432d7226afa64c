import type { Config } from '../config.ts';
import { LocalStorage } from './local-storage.ts';
import type { ObjectStorage } from './object-storage.ts';
import { S3Storage } from './s3-storage.ts';

export function createStorage(config: Pick<Config, 'storage' | 'awsRegion'>): ObjectStorage {
  if (config.storage.driver === 's3') {
    return new S3Storage({
      bucket: config.storage.s3Bucket!,
      region: config.awsRegion,
      endpoint: config.storage.s3Endpoint,
      prefix: config.storage.s3Prefix,
    });
  }
  return new LocalStorage(config.storage.dir);
}

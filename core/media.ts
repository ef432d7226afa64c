import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import { createQueue } from './queue/create-queue.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { createStorage } from './storage/create-storage.ts';
import { loadMediaSigningSecret, MediaUrlSigner } from './storage/media-url-signer.ts';
import type { ObjectStorage } from './storage/object-storage.ts';

export interface MediaServices {
  storage: ObjectStorage;
  urls: MediaUrlSigner;
  queue: JobQueue;
}

/** Recording storage, playback URL signing and the job queue, as configured; one set per process. */
export function openMediaServices(config: Config, db: Database, logger: Logger): MediaServices {
  return {
    storage: createStorage(config),
    urls: new MediaUrlSigner(loadMediaSigningSecret(config.mediaSigningSecret, config.dataDir)),
    queue: createQueue(config, db, (error) => logger.error('job queue error', { error: String(error) })),
  };
}

import type { Config } from '../core/config.ts';
import type { SecretBox } from '../core/crypto/secret-box.ts';
import type { Database } from '../core/db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { JobQueue } from '../core/queue/job-queue.ts';
import type { MediaUrlSigner } from '../core/storage/media-url-signer.ts';
import type { ObjectStorage } from '../core/storage/object-storage.ts';
import type { ApiKeyCache } from './auth/api-key-cache.ts';
import type { DashboardSignInCodes } from './auth/dashboard-sign-in-codes.ts';

/** What every route module is built from. */
export interface ApiDeps {
  db: Database;
  config: Config;
  logger: Logger;
  secretBox: SecretBox;
  apiKeyCache: ApiKeyCache;
  /** Live sessions this process runs (the stream gateway); without it, connected sessions cannot be ended here. */
  liveSessions?: { endSession(sessionId: string, reason: string): Promise<boolean> };
  /**
   * Recording media (storage + URL signing); without it the recording and media routes answer 503. Its job queue
   * takes evaluation re-runs; without one they wait for the workers' evaluation sweep.
   */
  media?: { storage: ObjectStorage; urls: MediaUrlSigner; queue?: JobQueue };
  /** The built dashboard to serve at `/`, and the one-time sign-in codes of the embedded default's printed link. */
  dashboard?: { distDir: string; signInCodes?: DashboardSignInCodes };
}

import type { Config } from '../core/config.ts';
import type { SecretBox } from '../core/crypto/secret-box.ts';
import type { Database } from '../core/db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { ApiKeyCache } from './auth/api-key-cache.ts';

/** What every route module is built from. */
export interface ApiDeps {
  db: Database;
  config: Config;
  logger: Logger;
  secretBox: SecretBox;
  apiKeyCache: ApiKeyCache;
}

import type { Config } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { Database } from './db/database.ts';
import { checkDatabaseUser, checkTenantRolesNotInherited } from './db/database-user.ts';
import { createLogger, type Logger } from './logger.ts';
import { dataDirSecret } from './secrets-file.ts';
import { ConfigError } from './config.ts';
import path from 'node:path';

export interface Platform {
  config: Config;
  logger: Logger;
  db: Database;
  secretBox: SecretBox;
}

/**
 * What every role needs: the database (migrated), the secret box and a logger. A PostgreSQL user that row-level
 * security would not confine is refused before anything is migrated (see `checkDatabaseUser`).
 */
export async function openPlatform(config: Config, options: { migrate?: boolean; logToStderr?: boolean | undefined } = {}): Promise<Platform> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, toStderr: options.logToStderr });
  const encryptionKey = config.encryptionKey ?? embeddedEncryptionKey(config);
  const db = await Database.open({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pgdata'),
    poolMax: config.databasePoolMax,
  });
  // Whatever fails here must not keep the database (and, embedded, its folder's lock) open.
  try {
    const posture = await checkDatabaseUser(db, { allowPrivileged: config.allowSuperuserDatabase, logger });
    if (options.migrate ?? true) await db.migrate();
    if (posture === 'confined') await checkTenantRolesNotInherited(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { config, logger, db, secretBox: new SecretBox(encryptionKey) };
}

function embeddedEncryptionKey(config: Config): Buffer {
  if (config.databaseUrl) {
    throw new ConfigError('Invalid configuration:\n  ECHOSPHERE_ENCRYPTION_KEY: required with DATABASE_URL (32 bytes, base64: `openssl rand -base64 32`)');
  }
  return dataDirSecret(config.dataDir, 'encryption.key');
}

import { initializeLogger, loggerOptions } from '@livekit/agents';
import type { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { GuardedHttpClient } from '../../core/net/guarded-http.ts';
import { SharedResources } from '../providers/shared-resources.ts';
import { installProviderBugGuard } from './provider-bug-guard.ts';
import type { RuntimeDeps } from './runtime-deps.ts';

export function createRuntimeDeps(options: {
  db: Database;
  secretBox: SecretBox;
  logger: Logger;
  allowPrivateUrls: boolean;
  env?: NodeJS.ProcessEnv;
}): RuntimeDeps {
  installProviderBugGuard(options.logger);
  // The library logs through its own pino logger, which must exist before any session starts; keep it as quiet as ours.
  if (!loggerOptions()) initializeLogger({ pretty: false, level: libraryLogLevel(options.logger.level) });
  return {
    db: options.db,
    secretBox: options.secretBox,
    logger: options.logger,
    resources: new SharedResources(),
    toolHttp: new GuardedHttpClient({ allowPrivate: options.allowPrivateUrls }),
    env: options.env ?? process.env,
  };
}

function libraryLogLevel(level: string): string {
  return level === 'error' ? 'error' : level === 'warn' ? 'warn' : level === 'debug' || level === 'silly' ? 'debug' : 'info';
}

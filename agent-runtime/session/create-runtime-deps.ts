import type { SessionBilling } from '../../core/billing/session-charge.ts';
import type { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { providerUrlPolicy } from '../../core/domain/provider-endpoints.ts';
import { GuardedHttpClient } from '../../core/net/guarded-http.ts';
import { SharedResources } from '../providers/shared-resources.ts';
import { installProviderBugGuard } from './provider-bug-guard.ts';
import { initializeLibraryLogger } from './library-logger.ts';
import type { RecordingMedia, RuntimeDeps } from './runtime-deps.ts';

export function createRuntimeDeps(options: {
  db: Database;
  secretBox: SecretBox;
  logger: Logger;
  allowPrivateUrls: boolean;
  allowPrivateProviderUrls: boolean;
  env?: NodeJS.ProcessEnv;
  media?: RecordingMedia;
  billing?: SessionBilling;
}): RuntimeDeps {
  installProviderBugGuard(options.logger);
  initializeLibraryLogger(options.logger);
  return {
    db: options.db,
    secretBox: options.secretBox,
    logger: options.logger,
    resources: new SharedResources(),
    toolHttp: new GuardedHttpClient({ allowPrivate: options.allowPrivateUrls }),
    providerUrlPolicy: providerUrlPolicy(options.allowPrivateProviderUrls),
    env: options.env ?? process.env,
    ...(options.media ? { media: { storage: options.media.storage, queue: options.media.queue } } : {}),
    ...(options.billing ? { billing: options.billing } : {}),
  };
}

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

/** What the runtime's dependencies are built from: the process's configuration and services. */
export interface RuntimeOptions {
  db: Database;
  secretBox: SecretBox;
  logger: Logger;
  /** ECHOSPHERE_ALLOW_PRIVATE_URLS: lets tool calls reach private addresses (development, tests). */
  allowPrivateUrls: boolean;
  /** ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: lets provider base_urls reach private addresses (local model servers, tests). */
  allowPrivateProviderUrls: boolean;
  /** Server-wide provider keys fallback; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Recording storage and job queue; without them sessions are not recorded. */
  media?: RecordingMedia;
  /** How ending sessions are charged; the default prices without it. */
  billing?: SessionBilling;
  /** This process's presence id (process-presence.ts); without it, its sessions outlive it as `active` if it dies. */
  agentProcessId?: string;
}

export function createRuntimeDeps(options: RuntimeOptions): RuntimeDeps {
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
    ...(options.agentProcessId ? { agentProcessId: options.agentProcessId } : {}),
  };
}

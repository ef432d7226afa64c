import type { SessionBilling } from '../../core/billing/session-charge.ts';
import type { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../core/logger.ts';
import type { GuardedHttpClient } from '../../core/net/guarded-http.ts';
import type { UrlPolicy } from '../../core/net/public-url.ts';
import type { JobQueue } from '../../core/queue/job-queue.ts';
import type { ObjectStorage } from '../../core/storage/object-storage.ts';
import type { SharedResources } from '../providers/shared-resources.ts';

/** Process-wide things a session runs with; built once (see createRuntimeDeps) and shared by every session. */
export interface RuntimeDeps {
  db: Database;
  secretBox: SecretBox;
  logger: Logger;
  resources: SharedResources;
  /** Calls customer tool servers under the SSRF policy (ECHOSPHERE_ALLOW_PRIVATE_URLS). */
  toolHttp: GuardedHttpClient;
  /** What provider base_urls the organization chose may point at (ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS). */
  providerUrlPolicy: UrlPolicy;
  /** Server-wide provider keys (OPENAI_API_KEY, DEEPGRAM_API_KEY, ELEVEN_API_KEY) used when an organization has none. */
  env: NodeJS.ProcessEnv;
  /**
   * Where recordings go, and the job queue their transcodes and session evaluations are requested on; without it no
   * session is recorded, and evaluations wait for the evaluation sweep.
   */
  media?: RecordingMedia;
  /** How ending sessions are charged (prices, Stripe meter events); the default prices without it. */
  billing?: SessionBilling;
  /** The process's presence id, marked on each WebSocket session it runs, so others end them if it dies. */
  agentProcessId?: string;
}

export interface RecordingMedia {
  storage: ObjectStorage;
  queue: JobQueue;
}

/** The session row as the runtime needs it. */
export interface RuntimeSession {
  id: string;
  orgId: string;
  assistantId: string;
  /** The assistant snapshot taken when the session was created. */
  assistant: unknown;
  /** Wall-clock time the session became active; message offsets are measured from it. */
  startedAt: Date;
}

export interface SessionOutcome {
  status: 'ended' | 'failed';
  endedReason: string;
}

import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyCache } from '../../api/auth/api-key-cache.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { createApiApp } from '../../api/server.ts';
import { attachStreamGateway, type StreamGateway } from '../../agent-runtime/stream/stream-gateway.ts';
import { parseConfig, type Config } from '../../core/config.ts';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../core/logger.ts';
import { provisionOrganization } from '../../core/provisioning.ts';
import type { MediaServices } from '../../core/media.ts';
import { DatabaseQueue } from '../../core/queue/database-queue.ts';
import { LocalStorage } from '../../core/storage/local-storage.ts';
import { MediaUrlSigner } from '../../core/storage/media-url-signer.ts';
import { apiClient } from './client.ts';
import { openTestDatabase } from './database.ts';
import { forTheseTests } from './for-these-tests.ts';
import { closeServer, listenOnLoopback } from './loopback-server.ts';

export interface TestApi {
  baseUrl: string;
  server: http.Server;
  deps: ApiDeps;
  db: ApiDeps['db'];
  config: Config;
  /** Recording storage, URL signer and job queue (no transcode worker runs unless a test starts one on this queue). */
  media: MediaServices;
  createOrganization(name?: string): Promise<{ orgId: string; secretKey: string }>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** Overrides of configuration variables. */
  env?: Record<string, string>;
  /** Runs WebSocket sessions on the api's own HTTP server, as `echosphere start` does. */
  withStreamGateway?: boolean;
}

/** The real api on an ephemeral port over a fresh test database. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const config = parseConfig({
    LOG_LEVEL: 'error',
    LOG_FORMAT: 'json',
    ECHOSPHERE_RATE_LIMIT_REQUESTS: '100000',
    ECHOSPHERE_AUTH_FAILURE_LIMIT: '100000',
    ECHOSPHERE_ALLOW_PRIVATE_URLS: 'true',
    // Provider fakes listen on 127.0.0.1.
    ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'true',
    ...options.env,
  });
  const db = await openTestDatabase();
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'echosphere-media-'));
  const media: MediaServices = {
    storage: new LocalStorage(mediaDir),
    urls: new MediaUrlSigner(randomBytes(32)),
    queue: new DatabaseQueue(db.knex, { pollIntervalMs: 50 }),
  };
  const deps: ApiDeps = {
    db,
    config,
    logger: createLogger({ level: config.logLevel, format: 'json' }),
    secretBox: new SecretBox(randomBytes(32)),
    apiKeyCache: new ApiKeyCache(config.apiKeyCacheTtlS * 1000),
    media,
  };
  const server = http.createServer();
  // Like `echosphere start`: WebSocket sessions run on the api's own HTTP server.
  const gateway = options.withStreamGateway
    ? attachStreamGateway(server, { db, secretBox: deps.secretBox, logger: deps.logger, allowPrivateUrls: true, allowPrivateProviderUrls: config.allowPrivateProviderUrls, env: {}, media })
    : undefined;
  if (gateway) deps.liveSessions = gateway;
  server.on('request', createApiApp(deps));
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    deps,
    db,
    config,
    media,
    async createOrganization(name = 'Test organization') {
      const { org, secretKey } = await provisionOrganization(db, deps.secretBox, name);
      return { orgId: org.id, secretKey };
    },
    async close() {
      await gateway?.shutdownAll(2000);
      await media.queue.stop();
      await closeServer(server);
      await db.close();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

export interface UseTestApiOptions extends TestApiOptions {
  organizationName?: string;
  /** An assistant for the organization to create before the tests, as the body of POST /v1/assistants. */
  assistant?: Record<string, unknown>;
}

/** The api as one organization sees it, for the tests of the enclosing describe (or file). */
export interface TestApiAsOrganization {
  api: TestApi;
  organization: { readonly orgId: string; readonly secretKey: string };
  /** The assistant asked for in the options. */
  assistant: { readonly id: string };
  /** The organization's JSON client, speaking with its secret key. */
  call: ReturnType<typeof apiClient>;
}

/** The api, one organization and, if asked, its assistant. */
export async function startTestApiAsOrganization(options: UseTestApiOptions = {}) {
  const api = await startTestApi(options);
  const organization = await api.createOrganization(options.organizationName);
  const call = apiClient(api.baseUrl, organization.secretKey);
  let assistantId: string | undefined;
  if (options.assistant) {
    const created = await call('POST', '/v1/assistants', options.assistant);
    if (created.status !== 201) throw new Error(`The test assistant was refused: ${created.status} ${JSON.stringify(created.body)}`);
    assistantId = created.body.id;
  }
  return { api, ...organization, call, assistantId };
}

/**
 * Starts the api, one organization and, if asked, its assistant before the tests of the enclosing describe (or file)
 * and closes the api after them. The parts may be destructured at once; like any fixture they can be read only once
 * the tests run. Everything is started in one hook because Node runs a file's top-level `before` hooks side by side:
 * a hook of the file's own cannot wait for the api, so what the file's tests share is made here.
 */
export function useTestApi(options: UseTestApiOptions = {}): TestApiAsOrganization {
  let ready: Awaited<ReturnType<typeof startTestApiAsOrganization>> | undefined;
  const api = forTheseTests(
    async () => {
      ready = await startTestApiAsOrganization(options);
      return ready.api;
    },
    (started) => started.close(),
  );
  const readyPart = (key: 'orgId' | 'secretKey' | 'assistantId') => {
    const value = ready?.[key];
    if (value === undefined) throw new Error(`"${key}" was read before the api started, or was not asked for.`);
    return value;
  };
  const organization = {
    get orgId() {
      return readyPart('orgId');
    },
    get secretKey() {
      return readyPart('secretKey');
    },
  };
  const assistant = {
    get id() {
      return readyPart('assistantId');
    },
  };
  const call: TestApiAsOrganization['call'] = (method, path, body, headers) => apiClient(api.baseUrl, organization.secretKey)(method, path, body, headers);
  return { api, organization, assistant, call };
}

/**
 * A second api instance's WebSocket side on its own port, sharing `api`'s database: sessions connected here run here,
 * and `close` shuts it down on its own, as a second process would on SIGTERM.
 */
export async function startSecondStreamGateway(api: TestApi): Promise<{ baseUrl: string; gateway: StreamGateway; close(): Promise<void> }> {
  const server = http.createServer();
  const { secretBox, logger } = api.deps;
  const gateway = attachStreamGateway(server, { db: api.db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {} });
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `ws://127.0.0.1:${port}`,
    gateway,
    async close() {
      await gateway.shutdownAll(2000);
      server.closeAllConnections();
      server.close();
    },
  };
}

/** An assistant that needs nothing: no rules, one default reply, the local voice, typed input. */
export const quietAssistant = {
  name: 'Quiet',
  system_prompt: '',
  model: { provider: 'scripted', script: { rules: [], default_reply: 'Okay.' } },
  voice: { provider: 'local' },
  transcriber: { provider: 'none' },
} as const;

import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispose } from '@livekit/rtc-node';
import type { Browser, Page } from 'playwright-core';
import { startLiveKitAgentHost } from '../../../agent-runtime/livekit/agent-host.ts';
import { createRuntimeDeps } from '../../../agent-runtime/session/create-runtime-deps.ts';
import { ApiKeyCache } from '../../../api/auth/api-key-cache.ts';
import type { ApiDeps } from '../../../api/deps.ts';
import { DashboardSignInCodes } from '../../../api/auth/dashboard-sign-in-codes.ts';
import { createApiApp } from '../../../api/server.ts';
import { attachStreamGateway } from '../../../agent-runtime/stream/stream-gateway.ts';
import { parseConfig } from '../../../core/config.ts';
import { SecretBox } from '../../../core/crypto/secret-box.ts';
import { SessionRooms } from '../../../core/livekit/session-rooms.ts';
import { createLogger } from '../../../core/logger.ts';
import { provisionOrganization } from '../../../core/provisioning.ts';
import { DatabaseQueue } from '../../../core/queue/database-queue.ts';
import { LocalStorage } from '../../../core/storage/local-storage.ts';
import { MediaUrlSigner } from '../../../core/storage/media-url-signer.ts';
import { providerUrlPolicy } from '../../../core/domain/provider-endpoints.ts';
import { startEvaluationWorker } from '../../../workers/evaluations/evaluation-worker.ts';
import { startTestRunWorker } from '../../../workers/test-runs/test-run-worker.ts';
import { resolveFfmpeg } from '../../../workers/transcode/ffmpeg-binary.ts';
import { FfmpegTranscoder } from '../../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../../workers/transcode/transcode-worker.ts';
import { WebhookDeliverer } from '../../../workers/webhooks/webhook-deliverer.ts';
import { liveKitEnv } from '../../livekit/support/livekit-env.ts';
import { openTestDatabase } from '../../support/database.ts';
import type { LiveKitTestServer } from '../../support/services.ts';
import { launchChromium } from './browser.ts';
import { closeServer, listenOnLoopback } from '../../support/loopback-server.ts';

const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/**
 * Everything the dashboard touches, in this process: the api with the built dashboard and its sign-in exchange, the
 * WebSocket stream gateway recording every session (no server-wide provider keys: tests store the organization's own),
 * a transcode worker, the evaluation worker, the test-run worker, and webhook delivery. With `liveKit`, the api is pointed
 * at that LiveKit server and an agent host in this process runs the LiveKit sessions. `api` calls the organization's
 * API with its secret key: the JSON body of a 2xx, or the test fails naming the call and its answer.
 */
export async function startDashboardStack(options: { liveKit?: LiveKitTestServer } = {}) {
  assert.ok(existsSync(path.join(DASHBOARD_DIST, 'index.html')), 'the dashboard is built (npm run build)');
  const db = await openTestDatabase();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error', format: 'json' });
  const config = parseConfig({
    LOG_LEVEL: 'error',
    LOG_FORMAT: 'json',
    ECHOSPHERE_RATE_LIMIT_REQUESTS: '100000',
    ECHOSPHERE_ALLOW_PRIVATE_URLS: 'true',
    ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: 'true',
    ...(options.liveKit ? liveKitEnv(options.liveKit) : {}),
  });
  const secretBox = new SecretBox(randomBytes(32));
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'echosphere-dashboard-media-'));
  const storage = new LocalStorage(mediaDir);
  const queue = new DatabaseQueue(db.knex, { pollIntervalMs: 50 });
  await startTranscodeWorker({ db, queue, transcoder: new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(), storage }), concurrency: 2 });
  const stopEvaluationSweep = await startEvaluationWorker({ db, secretBox, env: {}, providerUrlPolicy: providerUrlPolicy(true), queue, sweepIntervalS: 0 });
  const deliverer = new WebhookDeliverer({ db, secretBox, logger, allowPrivateUrls: true, pollIntervalMs: 100 });
  await deliverer.start();

  const signInCodes = new DashboardSignInCodes();
  const media = { storage, queue, urls: new MediaUrlSigner(randomBytes(32)) };
  const stopTestRunSweep = await startTestRunWorker({
    runtime: createRuntimeDeps({ db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {}, media }),
    evaluations: { db, secretBox, env: {}, providerUrlPolicy: providerUrlPolicy(true), queue },
    queue,
    logger,
    defaultMaxConcurrentSessions: config.defaultMaxConcurrentSessions,
    sweepIntervalS: 0,
  });
  const server = http.createServer();
  const gateway = attachStreamGateway(server, { db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {}, media });
  const deps: ApiDeps = {
    db,
    config,
    logger,
    secretBox,
    apiKeyCache: new ApiKeyCache(0),
    liveSessions: gateway,
    media,
    dashboard: { distDir: DASHBOARD_DIST, signInCodes },
  };
  server.on('request', createApiApp(deps));
  const agent = config.livekit.configured
    ? await startLiveKitAgentHost({
        db,
        logger,
        rooms: new SessionRooms(config.livekit.configured),
        runtime: createRuntimeDeps({ db, secretBox, logger, allowPrivateUrls: true, allowPrivateProviderUrls: true, env: {}, media }),
      })
    : undefined;
  const port = await listenOnLoopback(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  const { org, secretKey } = await provisionOrganization(db, secretBox, 'Acme Support');

  return {
    baseUrl,
    db,
    orgId: org.id,
    secretKey,
    signInCodes,
    async api<T>(method: string, route: string, body?: unknown): Promise<T> {
      const response = await fetch(`${baseUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(response.ok, `${method} ${route}: ${response.status} ${await response.clone().text()}`);
      return (await response.json()) as T;
    },
    async close() {
      await agent?.stop(5000);
      await gateway.shutdownAll(2000);
      await deliverer.stop();
      stopEvaluationSweep();
      stopTestRunSweep();
      await queue.stop();
      await closeServer(server);
      await db.close();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

export type DashboardStack = Awaited<ReturnType<typeof startDashboardStack>>;

export interface DashboardPage {
  browser: Browser;
  page: Page;
  /** What the page threw or logged as an error; `closeDashboard` fails the file when it is not empty. */
  pageErrors: string[];
}

/**
 * Chromium (its microphone playing `microphoneWav`, if given; `initScript` run in every document before the page's
 * own scripts) with one page on the stack's dashboard, not signed in. `pageErrors` collects what the page threw or
 * logged as an error: Chromium logs every non-2xx response as "Failed to load resource", and the API's 4xx answers are
 * part of the flows under test (validation errors), so those are left out.
 */
export async function openDashboard(stack: DashboardStack, options: { microphoneWav?: string; initScript?: () => void; viewportHeight?: number } = {}): Promise<DashboardPage> {
  const browser = await launchChromium(options.microphoneWav);
  const context = await browser.newContext({ viewport: { width: 1280, height: options.viewportHeight ?? 900 }, baseURL: stack.baseUrl });
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  return { browser, page, pageErrors };
}

/** `openDashboard`, signed in to the stack's organization with a one-time link, on the Assistants page. */
export async function openSignedInDashboard(stack: DashboardStack, microphoneWav?: string): Promise<DashboardPage> {
  const opened = await openDashboard(stack, { microphoneWav });
  await opened.page.goto(`/#login=${stack.signInCodes.issue(stack.orgId)}`);
  await opened.page.getByRole('heading', { name: 'Assistants' }).waitFor();
  return opened;
}

/**
 * A browser test file's teardown: closes Chromium, the stack and whatever else the file started (`others`), releases
 * rtc-node, then fails the file if the page threw or logged an error.
 */
export async function closeDashboard(opened: Partial<DashboardPage> & { stack?: DashboardStack }, ...others: Array<{ close(): Promise<unknown> } | undefined>): Promise<void> {
  await opened.browser?.close();
  await opened.stack?.close();
  await Promise.all(others.map((other) => other?.close()));
  await dispose();
  assert.deepEqual(opened.pageErrors ?? [], [], 'the dashboard threw or logged errors');
}

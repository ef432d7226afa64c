import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApiKeyCache } from '../api/auth/api-key-cache.ts';
import { DashboardSignInCodes } from '../api/auth/dashboard-sign-in-codes.ts';
import { defaultOrganizationId } from '../core/repositories/organizations.ts';
import { createApiApp } from '../api/server.ts';
import { attachStreamGateway } from '../agent-runtime/stream/stream-gateway.ts';
import { startLiveKitAgentHost, type LiveKitAgentHost } from '../agent-runtime/livekit/agent-host.ts';
import { startAgentStreamServer } from '../agent-runtime/stream/agent-stream-server.ts';
import { attachStreamProxy } from '../api/stream/stream-proxy.ts';
import { createRuntimeDeps } from '../agent-runtime/session/create-runtime-deps.ts';
import { startProcessPresence, type ProcessPresence } from '../agent-runtime/session/process-presence.ts';
import { loadSessionBilling } from '../core/billing/price-file.ts';
import { createStripeClient } from '../core/billing/stripe/stripe-client.ts';
import { SessionRooms } from '../core/livekit/session-rooms.ts';
import type { Config } from '../core/config.ts';
import { openMediaServices, type MediaServices } from '../core/media.ts';
import { openPlatform, type Platform } from '../core/platform.ts';
import { providerUrlPolicy } from '../core/domain/provider-endpoints.ts';
import { startTracing } from '../core/tracing/tracing.ts';
import { startEvaluationWorker } from '../workers/evaluations/evaluation-worker.ts';
import { startMeterReporting } from '../workers/billing/meter-reporting.ts';
import { startTestRunWorker } from '../workers/test-runs/test-run-worker.ts';
import { scheduleRetention } from '../workers/retention/retention-job.ts';
import { createTranscoder } from '../workers/transcode/create-transcoder.ts';
import { startTranscodeWorker } from '../workers/transcode/transcode-worker.ts';
import { WebhookDeliverer } from '../workers/webhooks/webhook-deliverer.ts';
import { CliError } from './cli-error.ts';
import { defaultOrganizationKeyToPrint, markDefaultKeyShown, type DefaultOrganizationKey } from './default-organization-key.ts';
import { startHealthServer } from './health-server.ts';
import { startServerProcesses } from './server-processes.ts';

const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

interface RunningRole {
  name: string;
  /** Stop taking new work, finish or hand back what is in flight. */
  stop(): Promise<void>;
}

/** The roles `startServer` started, running until `stop`. */
export interface RunningServer {
  platform: Platform;
  /** Where the api is reached, when this process serves it (itself, or through the processes it supervises). */
  baseUrl: string | undefined;
  /** The dashboard's one-time sign-in codes, when the api runs in this process. */
  signInCodes: DashboardSignInCodes | undefined;
  /** Stops the roles in the reverse order of their start, then closes the database (and frees the data folder). */
  stop(): Promise<void>;
}

/**
 * Starts the configured roles and stops them in order on SIGTERM/SIGINT. With ECHOSPHERE_PROCESSES above one, this
 * process supervises that many processes serving the api and agent roles on the shared port (each runs this same
 * command as a cluster worker) and runs the workers role itself.
 */
export async function startCommand(config: Config): Promise<void> {
  const startedAt = Date.now();
  const supervising = cluster.isPrimary && config.processes > 1 && config.roles.includes('api');
  const serverProcess = cluster.isWorker;
  const server = await startServer(config);
  const { platform, baseUrl } = server;
  const { logger } = platform;

  let dashboardUrl: string | undefined;
  let defaultKey: DefaultOrganizationKey | undefined;
  let defaultOrgId: string | undefined;
  // Only once the port is ours: a start that fails before printing must not leave a key nobody saw.
  if (server.signInCodes && !config.databaseUrl) {
    try {
      defaultKey = await defaultOrganizationKeyToPrint(platform);
      // The embedded default signs its operator straight in; with PostgreSQL there is no "local" organization.
      defaultOrgId = await defaultOrganizationId(platform.db);
    } catch (error) {
      await server.stop();
      throw error;
    }
    if (defaultOrgId) dashboardUrl = `${baseUrl}/#login=${server.signInCodes.issue(defaultOrgId)}`;
  }

  // Signals are handled before start-up is announced: whoever reads the announcement may stop us at once.
  let announced: Promise<void> = Promise.resolve();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await announced.catch((error: unknown) => logger.error('could not record that the key was shown', { error: String(error) }));
    await server.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // A server process whose supervisor is gone (killed outright) must not live on unsupervised.
  if (serverProcess) process.once('disconnect', () => void shutdown('supervisor-exited'));

  const roleNames = serverProcess ? config.roles.filter((role) => role !== 'workers') : config.roles;
  logger.info('EchoSphere started', { roles: roleNames, database: platform.db.dialect, processes: supervising ? config.processes : undefined, startup_ms: Date.now() - startedAt });
  if (baseUrl && !serverProcess) {
    printWelcome(baseUrl, dashboardUrl ?? `${baseUrl}/`, config, defaultKey ?? defaultOrgId);
    if (defaultKey) announced = markDefaultKeyShown(platform, defaultKey);
    await announced;
  }
}

/**
 * Opens the platform (migrating it, except in a server process: its supervisor did) and starts the configured roles.
 * A start that fails stops what it had started and closes the database before the error is thrown, so the process
 * ends with it and the data folder is free. `logToStderr` keeps standard output for a command's own results.
 */
export async function startServer(config: Config, options: { logToStderr?: boolean } = {}): Promise<RunningServer> {
  const servesConnections = config.roles.includes('api') || config.roles.includes('agent');
  // The processes share the api's port; an agent-only machine runs its sessions in one process.
  const supervising = cluster.isPrimary && config.processes > 1 && config.roles.includes('api');
  const serverProcess = cluster.isWorker;
  // The supervisor migrates before it forks, so its processes do not race to.
  const platform = await openPlatform(config, { migrate: !serverProcess, logToStderr: options.logToStderr });
  const { logger } = platform;

  const roles: RunningRole[] = [];
  const stop = async () => {
    for (const role of [...roles].reverse()) {
      await role.stop().catch((error: unknown) => logger.error('role did not stop cleanly', { role: role.name, error: String(error) }));
    }
    await platform.db.close();
  };
  let baseUrl: string | undefined;
  let signInCodes: DashboardSignInCodes | undefined;
  try {
    // First in, last out: the roles' final spans are flushed when it stops.
    roles.push({ name: 'tracing', stop: await startTracing(config.tracing) });
    const media = openMediaServices(config, platform.db, logger);
    roles.push({ name: 'job queue', stop: () => media.queue.stop() });
    // Stopped after the roles that run sessions: if one of theirs outlives them, the others end it.
    const runsSessions = (config.roles.includes('agent') && !supervising) || (config.roles.includes('workers') && !serverProcess);
    const presence = runsSessions ? await startProcessPresence({ db: platform.db, logger, billing: loadSessionBilling(config.billing) }) : undefined;
    if (presence) roles.push({ name: 'presence', stop: () => presence.stop() });
    if (supervising) {
      const processes = startServerProcesses(config.processes, logger);
      roles.push({ name: 'server processes', stop: () => processes.stop(config.shutdownGraceS * 1000) });
      baseUrl = publicBaseUrl(config, await processes.listening.catch(async (error: unknown) => {
        await processes.stop(0);
        throw error;
      }));
    } else if (servesConnections) {
      const runsAgent = config.roles.includes('agent');
      const liveKit = runsAgent ? await startLiveKitAgent(platform, media) : undefined;
      if (liveKit) roles.push(liveKit);
      // Without the api role here, WebSocket sessions come from api processes elsewhere, to a port of this process.
      if (runsAgent && !config.roles.includes('api')) roles.push(await startAgentStreams(platform, media, presence!));
      if (config.roles.includes('api')) {
        signInCodes = new DashboardSignInCodes();
        const api = await startApi(platform, media, signInCodes, { runsAgent, liveKit: liveKit?.host, presence });
        roles.push(api);
        baseUrl = api.baseUrl;
      }
    }
    if (config.roles.includes('workers') && !serverProcess) roles.push(await startWorkers(platform, media, presence));
    // A process without the api role answers health checks and metric scrapes on a port of its own.
    if (!config.roles.includes('api')) roles.push(await startHealth(platform));
  } catch (error) {
    await stop();
    // A server process's channel to its supervisor would keep it alive; closed, the process ends and is reported.
    if (serverProcess) cluster.worker?.disconnect();
    throw error;
  }
  return { platform, baseUrl, signInCodes, stop };
}

/**
 * The agent role's LiveKit sessions: taken through the database and run with the shared runtime, many per process.
 * Without LiveKit configured there are none to take.
 */
async function startLiveKitAgent(platform: Platform, media: MediaServices): Promise<(RunningRole & { host: LiveKitAgentHost }) | undefined> {
  const { config, logger, db } = platform;
  const liveKit = config.livekit.configured;
  if (!liveKit) return undefined;
  const host = await startLiveKitAgentHost({ db, logger, rooms: new SessionRooms(liveKit), runtime: createRuntimeDeps(runtimeOptions(platform, media)) });
  return {
    name: 'agent',
    host,
    async stop() {
      const outcomes = await host.stop(config.shutdownGraceS * 1000);
      logger.info('livekit sessions ended', { sessions: outcomes.length });
    },
  };
}

/** The agent role's WebSocket sessions on a machine without the api role: served to api processes on ECHOSPHERE_AGENT_PORT. */
async function startAgentStreams(platform: Platform, media: MediaServices, presence: ProcessPresence): Promise<RunningRole> {
  const { config, logger } = platform;
  const streams = await startAgentStreamServer(runtimeOptions(platform, media), { port: config.agentPort, host: config.host, advertisedUrl: config.agentUrl }, presence).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new CliError(`Cannot start: the agent port ${config.agentPort} on ${config.host} is already in use. Choose another with ECHOSPHERE_AGENT_PORT.`);
      throw error;
    },
  );
  return {
    name: 'agent streams',
    async stop() {
      const outcomes = await streams.stop(config.shutdownGraceS * 1000);
      logger.info('live sessions ended', { sessions: outcomes.length });
    },
  };
}

async function startHealth(platform: Platform): Promise<RunningRole> {
  const health = await startHealthServer(platform);
  platform.logger.info('health and metrics served', { port: health.port });
  return { name: 'health', stop: () => health.stop() };
}

/** What the session runtime needs, wherever it runs; with the process's presence, its sessions carry its id. */
function runtimeOptions(platform: Platform, media: MediaServices, presence?: ProcessPresence) {
  const { config, logger, db, secretBox } = platform;
  return {
    db,
    secretBox,
    logger,
    allowPrivateUrls: config.allowPrivateUrls,
    allowPrivateProviderUrls: config.allowPrivateProviderUrls,
    media,
    billing: loadSessionBilling(config.billing),
    ...(presence ? { agentProcessId: presence.id } : {}),
  };
}

/**
 * The api role. With the agent role in the same process, WebSocket sessions run where their connection lands (the
 * gateway shares the api's HTTP server); without it, connections are forwarded to agent processes.
 */
async function startApi(
  platform: Platform,
  media: MediaServices,
  signInCodes: DashboardSignInCodes,
  agent: { runsAgent: boolean; liveKit?: LiveKitAgentHost | undefined; presence?: ProcessPresence | undefined },
): Promise<RunningRole & { baseUrl: string }> {
  const { config, logger, db, secretBox } = platform;
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  const gateway = agent.runsAgent ? attachStreamGateway(server, runtimeOptions(platform, media, agent.presence)) : undefined;
  const proxy = gateway ? undefined : attachStreamProxy(server, { db, logger });
  const apiKeyCache = new ApiKeyCache(config.apiKeyCacheTtlS * 1000);
  const dashboard = { distDir: DASHBOARD_DIST, signInCodes };
  // A session ended through this process may be a WebSocket one of the gateway or a LiveKit one of this process's
  // agent; any other is asked to end through the database, wherever it runs.
  const liveSessions = {
    endSession: async (id: string, reason: string) => ((await gateway?.endSession(id, reason)) ?? false) || ((await agent.liveKit?.endSession(id, reason)) ?? false),
  };
  server.on('request', createApiApp({ db, config, logger, secretBox, apiKeyCache, liveSessions, media, dashboard }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, config)));
    server.listen(config.port, config.host, resolve);
  }).catch(async (error: unknown) => {
    // The gateway already listens for session control (a PostgreSQL connection) that would keep the process alive.
    await gateway?.shutdownAll(0);
    throw error;
  });
  return {
    name: 'api',
    baseUrl: publicBaseUrl(config, (server.address() as AddressInfo).port),
    async stop() {
      const graceMs = config.shutdownGraceS * 1000;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (gateway) {
        const outcomes = await gateway.shutdownAll(graceMs);
        logger.info('live sessions ended', { sessions: outcomes.length });
      }
      await proxy?.stop(graceMs);
      setTimeout(() => server.closeAllConnections(), graceMs).unref();
      await closed;
    },
  };
}

function publicBaseUrl(config: Config, port: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return config.publicUrl ?? `http://${host}:${port}`;
}

/** Durable background work: webhook delivery from the outbox, recording transcoding, session evaluations, retention, Stripe meter events. */
async function startWorkers(platform: Platform, media: MediaServices, presence: ProcessPresence | undefined): Promise<RunningRole> {
  const { config, logger, db, secretBox } = platform;
  const deliverer = new WebhookDeliverer({ db, secretBox, logger, allowPrivateUrls: config.allowPrivateUrls });
  await deliverer.start();
  await startTranscodeWorker({
    db,
    queue: media.queue,
    transcoder: createTranscoder(config, media.storage),
    concurrency: config.transcode.concurrency ?? os.availableParallelism(),
    onError: (error, context) => logger.error('transcode failed', { ...context, error: String(error) }),
  });
  const evaluations = {
    db,
    secretBox,
    env: process.env,
    providerUrlPolicy: providerUrlPolicy(config.allowPrivateProviderUrls),
    queue: media.queue,
    concurrency: config.evaluationConcurrency,
    onError: (error: unknown, context: Record<string, unknown>) => logger.error('evaluation failed', { ...context, error: String(error) }),
  };
  const stopEvaluationSweep = await startEvaluationWorker(evaluations);
  // Test runs play their scenarios as sessions of the shared runtime in this process.
  const runtime = createRuntimeDeps(runtimeOptions(platform, media, presence));
  const stopTestRunSweep = await startTestRunWorker({ runtime, evaluations, queue: media.queue, logger, defaultMaxConcurrentSessions: config.defaultMaxConcurrentSessions });
  const stopRetention = scheduleRetention(
    { db, storage: media.storage, queue: media.queue, onError: (error) => logger.error('retention pass failed', { error: String(error) }) },
    config.retentionIntervalS,
  );
  const stripe = config.billing.stripe;
  const stopMeterReporting = stripe
    ? await startMeterReporting({
        db,
        queue: media.queue,
        stripe: createStripeClient(stripe),
        eventName: stripe.meterEventName,
        intervalMs: config.billing.meterReportIntervalS * 1000,
        onError: (error, context) => logger.error('meter reporting failed', { ...context, error: String(error) }),
      })
    : async () => undefined;
  return {
    name: 'workers',
    async stop() {
      stopRetention();
      stopEvaluationSweep();
      stopTestRunSweep();
      await stopMeterReporting();
      await deliverer.stop();
    },
  };
}

/** The reasons a port cannot be had that the operator can fix, in one line each; anything else as it is. */
function listenError(error: NodeJS.ErrnoException, config: Config): Error {
  const where = `port ${config.port} on ${config.host}`;
  if (error.code === 'EADDRINUSE') {
    return new CliError(`Cannot start: ${where} is already in use. Stop what uses it, or choose another port with the PORT setting (e.g. PORT=${config.port + 1} npm start).`);
  }
  if (error.code === 'EACCES') return new CliError(`Cannot start: ${where} needs privileges this process lacks. Choose a port above 1023 with the PORT setting.`);
  return error;
}

/**
 * What the operator needs: the links (the dashboard's carries a one-time sign-in code, fresh on every start), and on
 * the embedded database the default organization's key when it is new, or how to get one when it was printed before.
 */
function printWelcome(baseUrl: string, dashboardUrl: string, config: Config, defaultOrg: DefaultOrganizationKey | string | undefined): void {
  const lines = [
    '',
    `  EchoSphere is running on ${config.databaseUrl ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`}`,
    '',
    `  Dashboard  ${dashboardUrl}`,
    `  API        ${baseUrl}/v1`,
    `  API docs   ${baseUrl}/docs`,
    `  Health     ${baseUrl}/readyz`,
  ];
  if (typeof defaultOrg === 'string') {
    lines.push(
      '',
      `  The default organization (${defaultOrg}) got its secret key at the first start. For another, create one`,
      "  on the dashboard's API keys page, or stop the server and run:",
      '',
      `    npx echosphere keys create --org ${defaultOrg}`,
    );
  } else if (defaultOrg) {
    const defaultKey = defaultOrg;
    lines.push(
      '',
      defaultKey.created
        ? `  A default organization was created (${defaultKey.orgId}). Its secret key, shown only this once:`
        : `  The default organization (${defaultKey.orgId}) had no secret key that was ever shown (a start stopped before\n` +
          '  printing it), so that key was revoked. Its new secret key, shown only this once:',
      '',
      `    ${defaultKey.secretKey}`,
      '',
      `  export ECHOSPHERE_KEY=${defaultKey.secretKey}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

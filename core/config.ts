import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => value === 'true' || value === '1');

/**
 * Express's `trust proxy` as a number of proxy hops or a list of proxy addresses and subnets. `true` (trust every
 * hop) is refused: the client's address would then be whatever the client wrote first in X-Forwarded-For.
 */
const trustProxy = z.union([
  z.coerce.number().int().min(1).max(10),
  z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .refine(
      (items) => items.length > 0 && items.every((item) => ['loopback', 'linklocal', 'uniquelocal'].includes(item) || isAddressOrSubnet(item)),
      'must be a number of proxy hops or a comma-separated list of addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal',
    ),
]);

function isAddressOrSubnet(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address!);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

const roles = ['api', 'agent', 'workers'] as const;
type Role = (typeof roles)[number];

/** Every environment variable EchoSphere reads. README's configuration table mirrors this list. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  ECHOSPHERE_ALLOW_SUPERUSER_DATABASE: booleanFlag.default(false),
  ECHOSPHERE_DATA_DIR: z.string().min(1).default('.data'),
  ECHOSPHERE_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  ECHOSPHERE_ROLES: z.string().default('api,agent,workers'),
  ECHOSPHERE_PROCESSES: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default(1),
  // Roles on separate machines: health and metrics of a process without the api role, the agent's session streams.
  ECHOSPHERE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  ECHOSPHERE_AGENT_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  ECHOSPHERE_AGENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  ECHOSPHERE_RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(100),
  ECHOSPHERE_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(1),
  ECHOSPHERE_RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  ECHOSPHERE_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  ECHOSPHERE_AUTH_FAILURE_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(60),
  ECHOSPHERE_TRUST_PROXY: trustProxy.optional(),
  ECHOSPHERE_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(262_144),
  ECHOSPHERE_BODY_DRAIN_BYTES: z.coerce.number().int().min(0).default(4_194_304),
  ECHOSPHERE_SESSION_TOKEN_TTL_S: z.coerce.number().int().min(10).max(86_400).default(600),
  ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: z.coerce.number().int().min(1).default(10),
  ECHOSPHERE_MAX_UNFINISHED_TEST_RUNS: z.coerce.number().int().min(1).default(10),
  ECHOSPHERE_ALLOW_PRIVATE_URLS: booleanFlag.default(false),
  ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS: booleanFlag.default(false),
  ECHOSPHERE_SHUTDOWN_GRACE_S: z.coerce.number().min(0).max(600).default(10),
  ECHOSPHERE_API_KEY_CACHE_TTL_S: z.coerce.number().min(0).max(300).default(10),
  // Recordings: storage, queue, transcoding, playback URLs, retention.
  ECHOSPHERE_STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  ECHOSPHERE_STORAGE_DIR: z.string().min(1).optional(),
  ECHOSPHERE_S3_BUCKET: z.string().min(3).optional(),
  ECHOSPHERE_S3_ENDPOINT: z.url().optional(),
  ECHOSPHERE_S3_PREFIX: z.string().regex(/^([\w.-]+\/)*$/, 'must be empty or end with "/"').default(''),
  ECHOSPHERE_AWS_REGION: z.string().min(1).default('us-east-1'),
  ECHOSPHERE_QUEUE_DRIVER: z.enum(['auto', 'database', 'pg-boss', 'sqs']).default('auto'),
  ECHOSPHERE_SQS_QUEUE_URL: z.url().optional(),
  ECHOSPHERE_SQS_ENDPOINT: z.url().optional(),
  ECHOSPHERE_FFMPEG_PATH: z.string().min(1).optional(),
  ECHOSPHERE_TRANSCODE_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  ECHOSPHERE_TRANSCODE_ENGINE: z.enum(['ffmpeg', 'mediaconvert']).default('ffmpeg'),
  ECHOSPHERE_MEDIACONVERT_ENDPOINT: z.url().optional(),
  ECHOSPHERE_MEDIACONVERT_ROLE_ARN: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+/, 'must be an IAM role ARN').optional(),
  ECHOSPHERE_MEDIACONVERT_QUEUE_ARN: z.string().regex(/^arn:aws[\w-]*:mediaconvert:/, 'must be a MediaConvert queue ARN').optional(),
  ECHOSPHERE_PLAYBACK_URL_TTL_S: z.coerce.number().int().min(60).max(7 * 86_400).default(3600),
  ECHOSPHERE_MEDIA_SIGNING_SECRET: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length >= 32, 'must be at least 32 bytes, base64-encoded')
    .optional(),
  ECHOSPHERE_RETENTION_INTERVAL_S: z.coerce.number().int().min(10).max(86_400).default(3600),
  ECHOSPHERE_EVALUATION_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  // Usage, cost and billing.
  ECHOSPHERE_PRICE_FILE: z.string().min(1).optional(),
  ECHOSPHERE_METER_REPORT_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(5),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_\w+$/, 'must be a Stripe secret or restricted key (sk_… or rk_…)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)').optional(),
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  STRIPE_METER_EVENT_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a Stripe meter event name').default('echosphere_usage'),
  STRIPE_PORTAL_RETURN_URL: z.url({ protocol: /^https?$/ }).optional(),
  // LiveKit sessions: the server's API, what apps connect to, its key pair, and the name agent processes register.
  LIVEKIT_URL: z.url().optional(),
  LIVEKIT_PUBLIC_URL: z.url().optional(),
  LIVEKIT_API_KEY: z.string().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().min(1).optional(),
  LIVEKIT_AGENT_NAME: z.string().regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"').default('echosphere'),
  // Traces: OpenTelemetry's own variable names, so collectors' documentation applies as written.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_SERVICE_NAME: z.string().min(1).default('echosphere'),
});

/**
 * The name of every variable the configuration reads: the deployment files are checked against it.
 * @public
 */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

const LIVEKIT_SETTINGS = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv = process.env) {
  // An empty variable means "not set" (as in `DATABASE_URL= npm start`).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const raw = result.data;
  const requestedRoles = raw.ECHOSPHERE_ROLES.split(',').map((role) => role.trim()).filter(Boolean);
  const unknownRole = requestedRoles.find((role) => !(roles as readonly string[]).includes(role));
  if (unknownRole) throw new ConfigError(`Invalid configuration:\n  ECHOSPHERE_ROLES: unknown role "${unknownRole}"`);
  const dataDir = path.resolve(raw.ECHOSPHERE_DATA_DIR);
  const processes = raw.ECHOSPHERE_PROCESSES === 'auto' ? os.availableParallelism() : raw.ECHOSPHERE_PROCESSES;
  const problems = [
    processes > 1 && !raw.DATABASE_URL && '  ECHOSPHERE_PROCESSES: more than one process needs DATABASE_URL (the embedded database belongs to one process)',
    raw.ECHOSPHERE_STORAGE_DRIVER === 's3' && !raw.ECHOSPHERE_S3_BUCKET && '  ECHOSPHERE_S3_BUCKET: required when ECHOSPHERE_STORAGE_DRIVER=s3',
    raw.ECHOSPHERE_QUEUE_DRIVER === 'sqs' && !raw.ECHOSPHERE_SQS_QUEUE_URL && '  ECHOSPHERE_SQS_QUEUE_URL: required when ECHOSPHERE_QUEUE_DRIVER=sqs',
    raw.ECHOSPHERE_QUEUE_DRIVER === 'pg-boss' && !raw.DATABASE_URL && '  ECHOSPHERE_QUEUE_DRIVER: pg-boss needs DATABASE_URL (PostgreSQL)',
    // MediaConvert reads the recording's chunks from S3 and writes its outputs there: it cannot reach a local folder.
    raw.ECHOSPHERE_TRANSCODE_ENGINE === 'mediaconvert' &&
      raw.ECHOSPHERE_STORAGE_DRIVER !== 's3' &&
      '  ECHOSPHERE_TRANSCODE_ENGINE: mediaconvert needs ECHOSPHERE_STORAGE_DRIVER=s3 (MediaConvert reads and writes S3 only)',
    raw.ECHOSPHERE_TRANSCODE_ENGINE === 'mediaconvert' &&
      !raw.ECHOSPHERE_MEDIACONVERT_ROLE_ARN &&
      '  ECHOSPHERE_MEDIACONVERT_ROLE_ARN: required when ECHOSPHERE_TRANSCODE_ENGINE=mediaconvert (the role MediaConvert assumes to read and write the bucket)',
  ].filter(Boolean);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return {
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: raw.PUBLIC_URL?.replace(/\/$/, ''),
    databaseUrl: raw.DATABASE_URL,
    databasePoolMax: raw.DATABASE_POOL_MAX,
    /** Run on a PostgreSQL user that row-level security does not apply to (superuser or BYPASSRLS), warning each start. */
    allowSuperuserDatabase: raw.ECHOSPHERE_ALLOW_SUPERUSER_DATABASE,
    dataDir,
    encryptionKey: raw.ECHOSPHERE_ENCRYPTION_KEY ? Buffer.from(raw.ECHOSPHERE_ENCRYPTION_KEY, 'base64') : undefined,
    roles: requestedRoles as Role[],
    /** Processes serving the api and agent roles; they share the port, and the first process supervises them. */
    processes,
    /** Where a process without the api role serves /healthz, /readyz and /metrics. */
    metricsPort: raw.ECHOSPHERE_METRICS_PORT,
    /** An agent process without the api role serves session streams to api processes here, and is reached at agentUrl. */
    agentPort: raw.ECHOSPHERE_AGENT_PORT,
    agentUrl: raw.ECHOSPHERE_AGENT_URL?.replace(/\/$/, ''),
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT,
    rateLimit: {
      requests: raw.ECHOSPHERE_RATE_LIMIT_REQUESTS,
      windowS: raw.ECHOSPHERE_RATE_LIMIT_WINDOW_S,
      /** How often each process adds its counts to the shared ones in the database. */
      syncMs: raw.ECHOSPHERE_RATE_LIMIT_SYNC_MS,
    },
    /** Failed authentications allowed per client address, and per key tried, in each window. */
    authFailures: { limit: raw.ECHOSPHERE_AUTH_FAILURE_LIMIT, windowS: raw.ECHOSPHERE_AUTH_FAILURE_WINDOW_S },
    /** Express's `trust proxy`: without it the client address is the connection's peer. */
    trustProxy: raw.ECHOSPHERE_TRUST_PROXY ?? false,
    bodyLimitBytes: raw.ECHOSPHERE_BODY_LIMIT_BYTES,
    /** How much of a body the api reads and discards so a client still sending it can read the early response. */
    bodyDrainBytes: raw.ECHOSPHERE_BODY_DRAIN_BYTES,
    sessionTokenTtlS: raw.ECHOSPHERE_SESSION_TOKEN_TTL_S,
    defaultMaxConcurrentSessions: raw.ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS,
    /** Test runs an organization may have queued or running at once; one more is refused (409). */
    maxUnfinishedTestRuns: raw.ECHOSPHERE_MAX_UNFINISHED_TEST_RUNS,
    allowPrivateUrls: raw.ECHOSPHERE_ALLOW_PRIVATE_URLS,
    /** Provider base_urls on private addresses (local model servers); separate from webhooks and tools on purpose. */
    allowPrivateProviderUrls: raw.ECHOSPHERE_ALLOW_PRIVATE_PROVIDER_URLS,
    shutdownGraceS: raw.ECHOSPHERE_SHUTDOWN_GRACE_S,
    apiKeyCacheTtlS: raw.ECHOSPHERE_API_KEY_CACHE_TTL_S,
    storage: {
      driver: raw.ECHOSPHERE_STORAGE_DRIVER,
      dir: path.resolve(raw.ECHOSPHERE_STORAGE_DIR ?? path.join(dataDir, 'media')),
      s3Bucket: raw.ECHOSPHERE_S3_BUCKET,
      s3Endpoint: raw.ECHOSPHERE_S3_ENDPOINT,
      s3Prefix: raw.ECHOSPHERE_S3_PREFIX,
    },
    awsRegion: raw.ECHOSPHERE_AWS_REGION,
    queue: {
      driver: raw.ECHOSPHERE_QUEUE_DRIVER === 'auto' ? (raw.DATABASE_URL ? 'pg-boss' : 'database') : raw.ECHOSPHERE_QUEUE_DRIVER,
      sqsQueueUrl: raw.ECHOSPHERE_SQS_QUEUE_URL,
      sqsEndpoint: raw.ECHOSPHERE_SQS_ENDPOINT,
    },
    transcode: {
      ffmpegPath: raw.ECHOSPHERE_FFMPEG_PATH,
      concurrency: raw.ECHOSPHERE_TRANSCODE_CONCURRENCY,
      engine: raw.ECHOSPHERE_TRANSCODE_ENGINE,
      mediaConvert: {
        endpoint: raw.ECHOSPHERE_MEDIACONVERT_ENDPOINT,
        roleArn: raw.ECHOSPHERE_MEDIACONVERT_ROLE_ARN,
        queueArn: raw.ECHOSPHERE_MEDIACONVERT_QUEUE_ARN,
      },
    },
    playbackUrlTtlS: raw.ECHOSPHERE_PLAYBACK_URL_TTL_S,
    mediaSigningSecret: raw.ECHOSPHERE_MEDIA_SIGNING_SECRET ? Buffer.from(raw.ECHOSPHERE_MEDIA_SIGNING_SECRET, 'base64') : undefined,
    retentionIntervalS: raw.ECHOSPHERE_RETENTION_INTERVAL_S,
    evaluationConcurrency: raw.ECHOSPHERE_EVALUATION_CONCURRENCY,
    billing: {
      /** A JSON price table overriding the defaults (core/billing/default-prices.ts), read at start. */
      priceFile: raw.ECHOSPHERE_PRICE_FILE ? path.resolve(raw.ECHOSPHERE_PRICE_FILE) : undefined,
      /** How often the workers look for meter events still owed to Stripe. */
      meterReportIntervalS: raw.ECHOSPHERE_METER_REPORT_INTERVAL_S,
      /** Stripe billing; off (undefined) without STRIPE_SECRET_KEY. */
      stripe: raw.STRIPE_SECRET_KEY
        ? {
            secretKey: raw.STRIPE_SECRET_KEY,
            webhookSecret: raw.STRIPE_WEBHOOK_SECRET,
            apiUrl: raw.STRIPE_API_URL,
            meterEventName: raw.STRIPE_METER_EVENT_NAME,
            portalReturnUrl: raw.STRIPE_PORTAL_RETURN_URL,
          }
        : undefined,
    },
    livekit: liveKitConfig(raw),
    /** OpenTelemetry traces of sessions' turns and HTTP requests; off without an OTLP endpoint. */
    tracing: {
      otlpEndpoint: raw.OTEL_EXPORTER_OTLP_ENDPOINT,
      otlpProtocol: raw.OTEL_EXPORTER_OTLP_PROTOCOL,
      serviceName: raw.OTEL_SERVICE_NAME,
    },
  };
}

export interface LiveKitConfig {
  /** The server's HTTP API (room service, agent dispatch). */
  url: string;
  /** What customer apps connect to (wss://…). */
  publicUrl: string;
  apiKey: string;
  apiSecret: string;
  agentName: string;
}

/** LiveKit is configured when its URL and key pair are all set; otherwise the settings still missing are named. */
function liveKitConfig(raw: z.infer<typeof schema>): { configured: LiveKitConfig; missing: [] } | { configured: undefined; missing: string[] } {
  const missing = LIVEKIT_SETTINGS.filter((name) => !raw[name]);
  if (missing.length > 0) return { configured: undefined, missing };
  const url = raw.LIVEKIT_URL!.replace(/\/$/, '');
  return {
    configured: {
      url,
      publicUrl: (raw.LIVEKIT_PUBLIC_URL ?? url).replace(/\/$/, ''),
      apiKey: raw.LIVEKIT_API_KEY!,
      apiSecret: raw.LIVEKIT_API_SECRET!,
      agentName: raw.LIVEKIT_AGENT_NAME,
    },
    missing: [],
  };
}

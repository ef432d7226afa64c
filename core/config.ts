import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => value === 'true' || value === '1');

const roles = ['api', 'agent', 'workers'] as const;
export type Role = (typeof roles)[number];

/** Every environment variable EchoSphere reads. README's configuration table mirrors this list. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  ECHOSPHERE_DATA_DIR: z.string().min(1).default('.data'),
  ECHOSPHERE_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  ECHOSPHERE_ROLES: z.string().default('api,agent,workers'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  ECHOSPHERE_RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(100),
  ECHOSPHERE_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(1),
  ECHOSPHERE_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(262_144),
  ECHOSPHERE_SESSION_TOKEN_TTL_S: z.coerce.number().int().min(10).max(86_400).default(600),
  ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS: z.coerce.number().int().min(1).default(10),
  ECHOSPHERE_ALLOW_PRIVATE_URLS: booleanFlag.default(false),
  ECHOSPHERE_SHUTDOWN_GRACE_S: z.coerce.number().min(0).max(600).default(10),
  ECHOSPHERE_API_KEY_CACHE_TTL_S: z.coerce.number().min(0).max(300).default(10),
});

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv = process.env) {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const raw = result.data;
  const requestedRoles = raw.ECHOSPHERE_ROLES.split(',').map((role) => role.trim()).filter(Boolean);
  const unknownRole = requestedRoles.find((role) => !(roles as readonly string[]).includes(role));
  if (unknownRole) throw new ConfigError(`Invalid configuration:\n  ECHOSPHERE_ROLES: unknown role "${unknownRole}"`);
  const dataDir = path.resolve(raw.ECHOSPHERE_DATA_DIR);
  return {
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: raw.PUBLIC_URL?.replace(/\/$/, ''),
    databaseUrl: raw.DATABASE_URL,
    databasePoolMax: raw.DATABASE_POOL_MAX,
    dataDir,
    encryptionKey: raw.ECHOSPHERE_ENCRYPTION_KEY ? Buffer.from(raw.ECHOSPHERE_ENCRYPTION_KEY, 'base64') : undefined,
    roles: requestedRoles as Role[],
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT,
    rateLimit: { requests: raw.ECHOSPHERE_RATE_LIMIT_REQUESTS, windowS: raw.ECHOSPHERE_RATE_LIMIT_WINDOW_S },
    bodyLimitBytes: raw.ECHOSPHERE_BODY_LIMIT_BYTES,
    sessionTokenTtlS: raw.ECHOSPHERE_SESSION_TOKEN_TTL_S,
    defaultMaxConcurrentSessions: raw.ECHOSPHERE_DEFAULT_MAX_CONCURRENT_SESSIONS,
    allowPrivateUrls: raw.ECHOSPHERE_ALLOW_PRIVATE_URLS,
    shutdownGraceS: raw.ECHOSPHERE_SHUTDOWN_GRACE_S,
    apiKeyCacheTtlS: raw.ECHOSPHERE_API_KEY_CACHE_TTL_S,
  };
}

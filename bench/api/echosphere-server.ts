// Child process: the real EchoSphere api on PostgreSQL, for bench/api.ts. Prints one JSON line when ready.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ApiKeyCache } from '../../api/auth/api-key-cache.ts';
import { createApiApp } from '../../api/server.ts';
import { parseConfig } from '../../core/config.ts';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import { Database } from '../../core/db/database.ts';
import { createLogger } from '../../core/logger.ts';

const config = parseConfig({ ...process.env, LOG_LEVEL: 'warn', ECHOSPHERE_RATE_LIMIT_REQUESTS: '1000000' });
const db = await Database.open({ url: process.env.DATABASE_URL!, poolMax: 10 });
const deps = {
  db,
  config,
  logger: createLogger({ level: 'warn', format: 'json' }),
  secretBox: new SecretBox(randomBytes(32)),
  apiKeyCache: new ApiKeyCache(config.apiKeyCacheTtlS * 1000),
};
const server = http.createServer(createApiApp(deps));
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
// Exiting through process.exit lets `--cpu-prof` write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { DOCKER_DIR, interpolate, readComposeFile, readEnvExample, REPO_ROOT } from './compose-file.ts';

/**
 * docker/livekit/livekit.yaml on the real LiveKit server: the binary scripts/test-services.sh builds, at the version
 * compose.yaml runs, started the way the livekit service starts it (its command, LIVEKIT_KEYS as compose sets it).
 */
const liveKitVersion = /^LIVEKIT_VERSION=(\S+)$/m.exec(readFileSync(path.join(REPO_ROOT, 'scripts/test-services.sh'), 'utf8'))![1]!;
const binary = path.join(REPO_ROOT, '.tools/livekit-server', liveKitVersion, 'server');
const missing = !existsSync(binary) && `the LiveKit server binary is not built (${binary}): start the test services with \`npm run services:start\``;
if (missing && process.env.CI === 'true') throw new Error(`CI needs ${missing}`);

test('compose runs the LiveKit version the tests run', () => {
  assert.equal(readComposeFile().services.livekit!.image, `livekit/livekit-server:${liveKitVersion}`);
});

test('the LiveKit server starts on the compose configuration and takes the key pair compose gives it', { skip: missing, timeout: 60_000 }, async () => {
  const secret = randomBytes(24).toString('base64url');
  const service = interpolate(readComposeFile().services.livekit!, { ...readEnvExample(), LIVEKIT_API_SECRET: secret, LIVEKIT_NODE_IP: '127.0.0.1' });

  // The file as written, on free loopback ports (the shared test server holds the default ones).
  const config = parse(readFileSync(path.join(DOCKER_DIR, 'livekit/livekit.yaml'), 'utf8'));
  const [httpPort, tcpPort, udpPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  Object.assign(config, { port: httpPort, bind_addresses: ['127.0.0.1'], prometheus: { port: metricsPort } });
  Object.assign(config.rtc, { tcp_port: tcpPort, udp_port: udpPort });
  const dir = mkdtempSync(path.join(tmpdir(), 'echosphere-livekit-'));
  const configFile = path.join(dir, 'livekit.yaml');
  writeFileSync(configFile, stringify(config));

  const args = service.command!.map((arg) => (arg === '/etc/livekit/livekit.yaml' ? configFile : arg));
  assert.deepEqual(args, ['--config', configFile, '--node-ip', '127.0.0.1']);
  const server = spawn(binary, args, { env: { PATH: process.env.PATH, ...service.environment }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  after(() => {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, `the LiveKit server on ${url}\n${log}`, 30_000);
  assert.doesNotMatch(log, /"level":"(warn|error)"/, 'the configuration draws no warning');

  // The key pair works; any other secret is refused.
  const rooms = new RoomServiceClient(url, readEnvExample().LIVEKIT_API_KEY!, secret);
  await rooms.createRoom({ name: 'compose-config-check' });
  assert.deepEqual((await rooms.listRooms()).map((room) => room.name), ['compose-config-check']);
  await assert.rejects(new RoomServiceClient(url, readEnvExample().LIVEKIT_API_KEY!, `${secret}x`).listRooms());

  // What Prometheus scrapes.
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /^livekit_/m);
});

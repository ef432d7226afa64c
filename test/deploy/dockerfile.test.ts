import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DOCKER_DIR, readComposeFile, REPO_ROOT } from './compose-file.ts';
import { dockerfileEnvironment, execForm, initialArgs, readDockerfile, stages } from './dockerfile.ts';

const dockerfile = readDockerfile();
const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const dockerignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

function runCommands(stage: ReturnType<typeof stages>[number]): string[] {
  return stage.filter((instruction) => instruction.getKeyword() === 'RUN').map((run) => (run.getArgumentsContent() ?? '').replace(/\\\n\s*/g, ' '));
}

function version(text: string): number[] {
  return text.split('.').map(Number);
}

function atLeast(actual: string, minimum: string): boolean {
  const [a, b] = [version(actual), version(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

test('two stages on Debian-slim Node 24, the version CI tests on', () => {
  const nodeVersion = initialArgs(dockerfile).NODE_VERSION!;
  assert.match(nodeVersion, /^24\.\d+\.\d+$/);
  const ciNode = /^NODE_24_VERSION=(\S+)$/m.exec(readFileSync(path.join(REPO_ROOT, 'scripts/node-24.sh'), 'utf8'))?.[1];
  assert.equal(nodeVersion, ciNode, 'the image runs the Node version CI runs the suite on');
  const froms = dockerfile.getFROMs();
  assert.equal(froms.length, 2);
  for (const from of froms) {
    assert.equal(from.getImageName(), 'node');
    // glibc (Debian), not musl: the LiveKit and ONNX bindings are built for glibc only.
    assert.equal(from.getImageTag(), '${NODE_VERSION}-bookworm-slim');
  }
  assert.equal(froms[0]!.getBuildStage(), 'build');
});

test('the build stage installs with the npm the project needs and builds the dashboard', () => {
  const [build] = stages(dockerfile);
  const runs = runCommands(build!);
  const npmUpgrade = runs.map((run) => /npm install --global .*npm@(\d+\.\d+\.\d+)/.exec(run)?.[1]).find(Boolean);
  assert.ok(npmUpgrade, 'npm is upgraded to a pinned version');
  assert.ok(atLeast(npmUpgrade, packageJson.engines.npm.replace('>=', '')), `npm ${npmUpgrade} reads allowScripts (engines.npm ${packageJson.engines.npm})`);
  const install = runs.find((run) => /\bnpm ci\b/.test(run));
  assert.ok(install, 'npm ci from the lockfile');
  assert.doesNotMatch(install, /--ignore-scripts/, 'patch-package (postinstall) and the dashboard build (prepare) must run');
  assert.match(packageJson.scripts.postinstall, /^patch-package/);
  assert.equal(packageJson.scripts.prepare, 'npm run build');
  assert.match(packageJson.scripts.build, /vite build --config dashboard\/vite\.config\.ts/);
  assert.match(install, /npm prune --omit=dev/, 'build tools stay out of the image');
  // Runtime code lives in dependencies: nothing the api, agent or workers import may be a devDependency.
  for (const runtimeDependency of ['tsx', 'patch-package', '@livekit/agents', 'pg', 'prom-client']) {
    assert.ok(packageJson.dependencies[runtimeDependency], `${runtimeDependency} survives the prune`);
  }
  // The whole source is the context; the lockfile and patches must be in it.
  const copies = build!.filter((instruction) => instruction.getKeyword() === 'COPY').map((copy) => copy.getArgumentsContent());
  assert.deepEqual(copies, ['. .']);
});

test('the context leaves out installed and local files but nothing the image needs', () => {
  for (const excluded of ['.git', 'node_modules', '.data', '.tools', 'docker/.env']) assert.ok(dockerignore.includes(excluded), excluded);
  const needed = ['package.json', 'package-lock.json', 'patches', 'bin', 'cli', 'core', 'contract', 'api', 'agent-runtime', 'workers', 'migrations', 'openapi', 'dashboard', 'docker', 'tsconfig.json'];
  for (const entry of needed) {
    assert.ok(existsSync(path.join(REPO_ROOT, entry)), `${entry} exists`);
    assert.ok(!dockerignore.some((pattern) => pattern === entry || entry.startsWith(`${pattern}/`)), `${entry} is in the context`);
  }
  // What the runtime serves and runs must not be under an excluded folder.
  for (const pattern of dockerignore) {
    for (const runtimeFolder of ['core', 'contract', 'api', 'agent-runtime', 'workers', 'cli', 'bin', 'migrations', 'openapi']) {
      assert.ok(!pattern.startsWith(`${runtimeFolder}/`) && pattern !== runtimeFolder, `${pattern} would take ${runtimeFolder} out`);
    }
  }
});

test('the final image: Debian ffmpeg, a non-root user, the CLI as entrypoint, a health check on /readyz', () => {
  const final = stages(dockerfile).at(-1)!;
  assert.ok(runCommands(final).some((run) => /apt-get install .*\bffmpeg\b/.test(run)), 'ffmpeg from Debian');
  const [copy, ...otherCopies] = dockerfile.getCOPYs().filter((instruction) => final.includes(instruction));
  assert.equal(otherCopies.length, 0);
  assert.equal(copy!.getFromFlag()?.getValue(), 'build');
  assert.equal(copy!.getArgumentsContent(), '/app /app');

  const users = final.filter((instruction) => instruction.getKeyword() === 'USER').map((user) => user.getArgumentsContent());
  assert.equal(users.length, 1);
  assert.doesNotMatch(users[0]!, /^(root|0)(:|$)/);

  const [entrypoint] = dockerfile.getENTRYPOINTs();
  assert.deepEqual(execForm(entrypoint!), ['echosphere']);
  assert.ok(runCommands(final).some((run) => run.includes('ln -s /app/bin/echosphere.mjs /usr/local/bin/echosphere')));
  assert.equal(packageJson.bin.echosphere, 'bin/echosphere.mjs');
  assert.ok(statSync(path.join(REPO_ROOT, 'bin/echosphere.mjs')).mode & 0o111, 'the CLI is executable');
  assert.deepEqual(execForm(dockerfile.getCMDs()[0]!), ['start']);

  const [healthcheck] = dockerfile.getHEALTHCHECKs();
  const check = execForm(healthcheck!);
  assert.deepEqual(check, ['node', 'docker/healthcheck.mjs']);
  assert.match(readFileSync(path.join(REPO_ROOT, check[1]!), 'utf8'), /\/readyz/);

  const environment = dockerfileEnvironment(dockerfile);
  assert.equal(environment.HOST, '0.0.0.0');
  assert.ok(final.some((instruction) => instruction.getKeyword() === 'EXPOSE' && instruction.getArgumentsContent()!.split(' ').includes(environment.PORT!)));
  // The data folder is where the process may write, and the one place it owns.
  assert.ok(runCommands(final).some((run) => run.includes(`chown ${users[0]}:${users[0]} ${environment.ECHOSPHERE_DATA_DIR}`)));
});

test('compose builds this Dockerfile from the repository root', () => {
  const compose = readComposeFile();
  const builds = Object.values(compose.services).flatMap((service) => (service.build ? [service.build] : []));
  assert.ok(builds.length > 0);
  for (const build of builds) {
    assert.equal(path.resolve(DOCKER_DIR, build.context), REPO_ROOT);
    assert.equal(path.join(REPO_ROOT, build.dockerfile), path.join(DOCKER_DIR, 'Dockerfile'));
  }
});

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { DOCKER_DIR } from './compose-file.ts';

/** The scripts the containers run besides EchoSphere itself: the health check and the local models' download. */

const run = promisify(execFile);

interface Recorded {
  method: string;
  url: string;
  body: string;
}

/** An HTTP server on loopback answering with `respond`, recording what it was asked. */
async function server(respond: (request: Recorded) => [number, string]) {
  const requests: Recorded[] = [];
  const instance = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, body };
      requests.push(request);
      const [status, text] = respond(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => instance.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => instance.close(() => resolve())));
  return { port: (instance.address() as AddressInfo).port, url: `http://127.0.0.1:${(instance.address() as AddressInfo).port}`, requests };
}

async function exitCode(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(DOCKER_DIR, script), ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: failure.stdout + failure.stderr };
  }
}

test('the health check passes on a 2xx from /readyz and fails on anything else', async () => {
  let ready = true;
  const api = await server(({ url }) => (url === '/readyz' && ready ? [200, '{"status":"ready"}'] : [503, '{"status":"unavailable","database":"unreachable"}']));
  assert.equal((await exitCode('healthcheck.mjs', [String(api.port)])).code, 0);
  // PORT when no port is given: the api role's port.
  assert.equal((await exitCode('healthcheck.mjs', [], { PORT: String(api.port) })).code, 0);
  assert.deepEqual(api.requests.map((request) => `${request.method} ${request.url}`), ['GET /readyz', 'GET /readyz']);

  ready = false;
  const unready = await exitCode('healthcheck.mjs', [String(api.port)]);
  assert.equal(unready.code, 1);
  assert.match(unready.output, /503.*unreachable/);

  const port = await freePort();
  const nobody = await exitCode('healthcheck.mjs', [String(port)]);
  assert.equal(nobody.code, 1);
  assert.match(nobody.output, new RegExp(`did not answer on port ${port}: fetch failed`));
});

test('local-models-pull asks Ollama for the LLM and Speaches for the transcription model', async () => {
  const ollama = await server(({ url }) => (url === '/api/pull' ? [200, '{"status":"success"}'] : [404, '{}']));
  const speaches = await server(({ method, url }) => (method === 'POST' && url.startsWith('/v1/models/') ? [201, '{}'] : [404, '{}']));
  const result = await exitCode('local-models/pull-models.mjs', [], {
    OLLAMA_URL: ollama.url,
    SPEACHES_URL: speaches.url,
    LOCAL_LLM_MODEL: 'qwen2.5:3b',
    LOCAL_STT_MODEL: 'Systran/faster-distil-whisper-small.en',
  });
  assert.equal(result.code, 0, result.output);
  assert.deepEqual(ollama.requests.map((request) => [request.method, request.url, JSON.parse(request.body)]), [['POST', '/api/pull', { model: 'qwen2.5:3b', stream: false }]]);
  assert.deepEqual(speaches.requests.map((request) => [request.method, request.url]), [['POST', '/v1/models/Systran/faster-distil-whisper-small.en']]);
  assert.match(result.output, /Ollama has qwen2\.5:3b\.\nSpeaches has Systran\/faster-distil-whisper-small\.en\./);
});

test('local-models-pull fails, naming the server and its answer, when a model cannot be had', async () => {
  const ollama = await server(() => [500, '{"error":"pull model manifest: file does not exist"}']);
  const speaches = await server(() => [201, '{}']);
  const result = await exitCode('local-models/pull-models.mjs', [], { OLLAMA_URL: ollama.url, SPEACHES_URL: speaches.url, LOCAL_LLM_MODEL: 'no-such-model' });
  assert.equal(result.code, 1);
  assert.match(result.output, /Ollama \(pulling no-such-model\) answered 500: .*file does not exist/);
  assert.equal(speaches.requests.length, 0, 'stops at the first failure');
});

test('local-models-pull waits for servers that are still starting', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(DOCKER_DIR, 'local-models/pull-models.mjs')], {
    env: { PATH: process.env.PATH, OLLAMA_URL: url, SPEACHES_URL: url, STARTUP_WAIT_MS: '60000' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  after(() => child.kill());
  // The first attempt finds nothing listening; the server comes up while the script keeps asking.
  await waitFor(() => /Ollama does not answer yet \(connect ECONNREFUSED/.test(output), 'a refused first attempt', 30_000);
  const requests: string[] = [];
  const late = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume().on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => late.close(() => resolve())));
  assert.equal(await exited, 0, output);
  assert.deepEqual(requests, ['POST /api/pull', 'POST /v1/models/Systran/faster-distil-whisper-small.en']);

  const gone = `http://127.0.0.1:${await freePort()}`;
  const failed = await exitCode('local-models/pull-models.mjs', [], { OLLAMA_URL: gone, STARTUP_WAIT_MS: '0' });
  assert.equal(failed.code, 1);
  assert.match(failed.output, /Ollama did not answer: connect ECONNREFUSED/);
});

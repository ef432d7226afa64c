import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestApi, type TestApi } from '../support/api.ts';
import { assertMatchesContract } from '../support/contract.ts';
import type { SlowUpload, UploadOutcome } from '../support/slow-upload-client.ts';

/**
 * Responses the api decides on before it has read the body (a bad key, a body over the limit, an unknown route) reach
 * a client that is still sending that body: an ordinary Node client writing 600 KB in slow chunks reads the whole
 * response, and its request ends without ECONNRESET or EPIPE, whether it keeps the connection alive or asked for it
 * to close. The server sends such a response only once the body has arrived (read and discarded, up to a bound).
 */

const BODY_BYTES = 600 * 1024;
const DRAIN_BYTES = 1024 * 1024;
// Each case is sent a few times: whether an early close resets the connection is a race, and repeats make losing it likely.
const REPEATS = 3;
const CLIENT = new URL('../support/slow-upload-client.ts', import.meta.url).pathname;

let api: TestApi;
let secretKey: string;
const unknownKey = `sk_${'A'.repeat(43)}`;
/** For every response the server sent: had the whole request body arrived by then? */
let bodyCompleteAtResponse: boolean[] = [];

before(async () => {
  api = await startTestApi({ env: { ECHOSPHERE_BODY_DRAIN_BYTES: String(DRAIN_BYTES) } });
  secretKey = (await api.createOrganization('Early responses')).secretKey;
  api.server.on('request', (req: IncomingMessage, res: ServerResponse) => res.once('finish', () => bodyCompleteAtResponse.push(req.complete)));
});
after(() => api?.close());
beforeEach(() => {
  bodyCompleteAtResponse = [];
});

/** Runs the uploads in a separate Node process (see slow-upload-client.ts for why). */
async function uploadFromAnotherProcess(specs: SlowUpload[]): Promise<UploadOutcome[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify(specs)]);
  return JSON.parse(stdout) as UploadOutcome[];
}

function slowUpload(path: string, key: string, options: { keepAlive: boolean; chunked?: boolean; method?: string }): SlowUpload {
  return {
    url: new URL(path, api.baseUrl).toString(),
    method: options.method ?? 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    bodyBytes: BODY_BYTES,
    chunkBytes: 15 * 1024,
    pauseMs: 1,
    chunked: options.chunked,
    keepAlive: options.keepAlive,
  };
}

async function assertEveryUploadReadsItsError(spec: SlowUpload, status: number, code: string, inContract = true): Promise<void> {
  const outcomes = await uploadFromAnotherProcess(Array.from({ length: REPEATS }, () => spec));
  for (const { response, errors } of outcomes) {
    assert.deepEqual(errors, [], 'the client saw its connection fail');
    assert.ok(response, 'the client read no response');
    const body = JSON.parse(response.text);
    assert.equal(response.status, status, response.text);
    assert.equal(body.error.code, code);
    assert.equal(body.error.request_id, response.headers['x-request-id']);
    if (inContract) assertMatchesContract(spec.method, new URL(spec.url).pathname, response.status, body, response.headers as Record<string, string>);
  }
  assert.deepEqual(bodyCompleteAtResponse, Array(REPEATS).fill(true), 'a response went out before the body had arrived');
}

for (const keepAlive of [false, true]) {
  describe(keepAlive ? 'on a kept-alive connection' : 'on a connection the client asked to close', () => {
    test('a 600 KB body with an unknown key gets its 401 (authentication comes before the body)', () =>
      assertEveryUploadReadsItsError(slowUpload('/v1/provider-credentials/openai', unknownKey, { keepAlive }), 401, 'invalid_api_key'));

    test('a 600 KB body with a valid key gets its 413', () =>
      assertEveryUploadReadsItsError(slowUpload('/v1/provider-credentials/openai', secretKey, { keepAlive }), 413, 'body_too_large'));

    test('a 600 KB body sent without a Content-Length gets its 413', () =>
      assertEveryUploadReadsItsError(slowUpload('/v1/assistants', secretKey, { keepAlive, chunked: true, method: 'POST' }), 413, 'body_too_large'));

    test('a 600 KB body to an unknown route gets its 404', () =>
      assertEveryUploadReadsItsError(slowUpload('/nowhere', secretKey, { keepAlive, method: 'POST' }), 404, 'route_not_found', false));
  });
}

// With a valid key the 413 comes from the Content-Length alone: body-parser would first read every declared byte.
for (const [key, status, code] of [[unknownKey, 401, 'invalid_api_key'], [() => secretKey, 413, 'body_too_large']] as const) {
  // The timeout only turns a server waiting for the body it was promised into a failure instead of a hang.
  test(`a body declared larger than the drain bound is not waited for: the ${status} comes at once and the connection closes`, { timeout: 15_000 }, async () => {
    const socket = net.connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Headers and a first chunk only: the server must answer without the rest it was promised.
    socket.write(
      `PUT /v1/provider-credentials/openai HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${typeof key === 'string' ? key : key()}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${10 * DRAIN_BYTES}\r\n\r\n${'a'.repeat(1024)}`,
    );
    await closed;
    const [head = '', body = ''] = received.split('\r\n\r\n');
    assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `));
    assert.match(head, /\r\nConnection: close\r\n/i);
    assert.equal(JSON.parse(body).error.code, code);
  });
}

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { classifyAddress } from './address-policy.ts';
import { GuardedHttpClient, OutboundRequestError } from './guarded-http.ts';
import { assertPublicUrl, checkUrlShape, UnsafeUrlError } from './public-url.ts';

const strict = { allowPrivate: false };
const permissive = { allowPrivate: true };

test('loopback, private, link-local, metadata and other non-public addresses are refused', async () => {
  for (const url of [
    'https://127.0.0.1/hook',
    'https://127.1.2.3/hook',
    'https://[::1]/hook',
    'https://10.0.0.1/hook',
    'https://10.255.255.255/hook',
    'https://172.16.0.1/hook',
    'https://192.168.1.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://169.254.1.1/hook',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[::]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://[fd00:ec2::254]/hook',
    'https://[fe80::1]/hook',
    'https://[fc00::1]/hook',
    'https://2130706433/hook', // 127.0.0.1 written as a number
    'https://0x7f.1/hook',
  ]) {
    await assert.rejects(assertPublicUrl(url, strict), UnsafeUrlError, url);
  }
});

test('a host name that resolves to loopback is refused', async () => {
  await assert.rejects(assertPublicUrl('https://localhost/hook', strict), (error: UnsafeUrlError) => {
    assert.equal(error.reason, 'private_address');
    assert.match(error.message, /localhost/);
    return true;
  });
});

test('http is refused unless private URLs are allowed, credentials always', () => {
  assert.throws(() => checkUrlShape('http://93.184.215.14/hook', strict), (error: UnsafeUrlError) => error.reason === 'scheme');
  assert.throws(() => checkUrlShape('ftp://93.184.215.14/hook', permissive), (error: UnsafeUrlError) => error.reason === 'scheme');
  assert.throws(() => checkUrlShape('https://user:pw@93.184.215.14/hook', strict), (error: UnsafeUrlError) => error.reason === 'credentials');
  assert.throws(() => checkUrlShape('not a url', strict), (error: UnsafeUrlError) => error.reason === 'malformed');
  assert.equal(checkUrlShape('https://93.184.215.14/hook', strict).hostname, '93.184.215.14');
  assert.equal(checkUrlShape('http://127.0.0.1:8080/hook', permissive).port, '8080');
});

test('allowing private URLs admits loopback but never cloud metadata addresses', async () => {
  await assertPublicUrl('http://127.0.0.1/hook', permissive);
  await assertPublicUrl('http://localhost/hook', permissive);
  await assert.rejects(assertPublicUrl('http://169.254.169.254/latest', permissive), (error: UnsafeUrlError) => error.reason === 'metadata_address');
  await assert.rejects(assertPublicUrl('http://[fd00:ec2::254]/latest', permissive), (error: UnsafeUrlError) => error.reason === 'metadata_address');
  await assert.rejects(assertPublicUrl('http://[::ffff:169.254.169.254]/latest', permissive), (error: UnsafeUrlError) => error.reason === 'metadata_address');
});

test('public addresses are classified as public', () => {
  for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '1.1.1.1']) assert.equal(classifyAddress(address), 'public', address);
  assert.equal(classifyAddress('not-an-ip'), 'invalid');
});

test('the guarded client refuses a name resolving to loopback at connect time and follows no redirects', async () => {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(302, { location: 'http://127.0.0.1/elsewhere' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const strictClient = new GuardedHttpClient({ allowPrivate: false });
    // http would be refused by scheme first; with https the connect-time lookup is what refuses it.
    await assert.rejects(
      strictClient.post(`https://localhost:${port}/hook`, { headers: {}, body: '{}', timeoutMs: 2000 }),
      (error: OutboundRequestError) => error.failure === 'unsafe_url' && /not a public/.test(error.message),
    );
    await assert.rejects(
      strictClient.post(`https://127.0.0.1:${port}/hook`, { headers: {}, body: '{}', timeoutMs: 2000 }),
      (error: OutboundRequestError) => error.failure === 'unsafe_url',
    );
    strictClient.close();
    assert.equal(hits, 0);

    const devClient = new GuardedHttpClient({ allowPrivate: true });
    const response = await devClient.post(`http://localhost:${port}/hook`, { headers: {}, body: '{}', timeoutMs: 2000 });
    devClient.close();
    assert.equal(response.status, 302);
    assert.equal(hits, 1);
  } finally {
    server.close();
  }
});

test('WebSocket URLs pass only a policy that takes them: wss always, ws only with private URLs allowed', async () => {
  const streaming = { allowPrivate: false, webSocket: true };
  const streamingDev = { allowPrivate: true, webSocket: true };
  assert.equal(checkUrlShape('wss://93.184.215.14/v1/listen', streaming).protocol, 'wss:');
  assert.equal(checkUrlShape('https://93.184.215.14/v1', streaming).protocol, 'https:');
  assert.throws(() => checkUrlShape('wss://93.184.215.14/v1/listen', strict), (error: UnsafeUrlError) => error.reason === 'scheme');
  assert.throws(() => checkUrlShape('ws://93.184.215.14/v1/listen', streaming), (error: UnsafeUrlError) => error.reason === 'scheme' && /https or wss$/.test(error.message));
  assert.equal(checkUrlShape('ws://127.0.0.1:9/v1/listen', streamingDev).port, '9');
  for (const url of ['wss://127.0.0.1/v1', 'wss://[::1]/v1', 'wss://[::ffff:127.0.0.1]/v1', 'wss://10.0.0.1/v1', 'wss://2130706433/v1']) {
    await assert.rejects(assertPublicUrl(url, streaming), (error: UnsafeUrlError) => error.reason === 'private_address', url);
  }
  await assert.rejects(assertPublicUrl('ws://169.254.169.254/latest', streamingDev), (error: UnsafeUrlError) => error.reason === 'metadata_address');
  await assert.rejects(assertPublicUrl('wss://localhost/v1', streaming), (error: UnsafeUrlError) => error.reason === 'private_address');
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium } from './support/browser.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('npm start serves the dashboard and signs in through the printed link', { skip: noChromium }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'echosphere-dashboard-start-'));
  let child: ChildProcess;
  let dashboardUrl: string;
  let browser: Browser;

  before(async () => {
    child = spawn(process.execPath, [path.join(root, 'bin/echosphere.mjs'), 'start'], {
      env: { ...process.env, PORT: '0', ECHOSPHERE_DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'error', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dashboardUrl = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Dashboard\s+(http:\/\/\S+)/.exec(output);
        if (match && output.includes('Health')) resolve(match[1]!);
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a one-time link that signs the browser in to the default organization', async () => {
    assert.match(dashboardUrl, /\/#login=[\w-]{20,}$/);
    const page = await browser.newPage();
    await page.goto(dashboardUrl);
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    await page.getByText('Default organization').waitFor();
    assert.equal(new URL(page.url()).hash, '');
  });

  it('serves client routes as the app, hashed assets with a long cache, and leaves the API alone', async () => {
    const origin = new URL(dashboardUrl).origin;
    const clientRoute = await fetch(`${origin}/sessions/sess_unknown`, { headers: { accept: 'text/html' } });
    assert.equal(clientRoute.status, 200);
    const html = await clientRoute.text();
    assert.match(html, /<div id="root">/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${origin}${asset}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);

    const api = await fetch(`${origin}/v1/not-a-route`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 401, 'API paths answer as the API (here: no key), never with the app');
    assert.match(api.headers.get('content-type') ?? '', /application\/json/);
    const missingAsset = await fetch(`${origin}/assets/missing.js`);
    assert.equal(missingAsset.status, 404);
    assert.equal((await fetch(`${origin}/healthz`)).status, 200);
    const exchange = await fetch(`${origin}/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'guess' }) });
    assert.equal(exchange.status, 401);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium } from '../browser/support/browser.ts';
import { offlineAssistant, startSessionStack, waitForRecording } from './session-stack.ts';


/** hls.js as shipped in node_modules, served by the test page's own origin (no network). */
const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');

const PAGE = `<!doctype html>
<html><body><audio id="player" muted></audio>
<script src="/hls.js"></script>
<script>
  window.playback = { levelsLoaded: 0, levelSwitches: 0, errors: [], ended: false, duration: null, currentTime: null };
  window.play = (url) => {
    const audio = document.getElementById('player');
    const hls = new Hls({ debug: false });
    hls.on(Hls.Events.LEVEL_LOADED, () => playback.levelsLoaded++);
    hls.on(Hls.Events.LEVEL_SWITCHED, () => playback.levelSwitches++);
    hls.on(Hls.Events.ERROR, (_event, data) => { if (data.fatal) playback.errors.push(data.type + ': ' + data.details); });
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => { playback.levels = data.levels.length; audio.play().catch((error) => playback.errors.push(String(error))); });
    audio.addEventListener('ended', () => {
      playback.ended = true;
      playback.duration = audio.duration;
      playback.currentTime = audio.currentTime;
    });
    hls.loadSource(url);
    hls.attachMedia(audio);
  };
</script></body></html>`;

let stack: Awaited<ReturnType<typeof startSessionStack>>;
let browser: Browser | undefined;
let page: http.Server;
let pageUrl: string;

before(async () => {
  if (noChromium) return;
  stack = await startSessionStack();
  page = http.createServer((req, res) => {
    if (req.url === '/hls.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(HLS_JS));
    res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  browser = await launchChromium();
});

after(async () => {
  if (noChromium) return;
  await browser?.close();
  page.closeAllConnections();
  page.close();
  await stack.api.close();
  await dispose();
});

test('a session recording plays to the end with hls.js in headless Chromium', { skip: noChromium }, async () => {
  const assistant = await stack.call('POST', '/v1/assistants', offlineAssistant());
  const session = await stack.runSession(assistant.body.id);
  const recording = await waitForRecording(stack.call, session.id);
  assert.equal(recording.status, 'ready', recording.failure_reason);
  const durationS = recording.duration_ms / 1000;

  const tab = await browser!.newPage();
  await tab.goto(pageUrl);
  assert.equal(await tab.evaluate(() => (window as unknown as { Hls: { isSupported(): boolean } }).Hls.isSupported()), true, 'this Chromium has Media Source Extensions');
  await tab.evaluate((url) => (window as unknown as { play(url: string): void }).play(url), recording.playback.hls_url as string);
  await tab.waitForFunction(() => {
    const state = (window as unknown as { playback: { ended: boolean; errors: string[] } }).playback;
    return state.ended || state.errors.length > 0;
  }, undefined, { timeout: (durationS + 60) * 1000 });
  const playback = await tab.evaluate(() => (window as unknown as { playback: { levels: number; levelsLoaded: number; levelSwitches: number; errors: string[]; ended: boolean; duration: number; currentTime: number } }).playback);
  assert.deepEqual(playback.errors, []);
  assert.equal(playback.ended, true);
  assert.equal(playback.levels, 3, 'the master playlist offers the three renditions');
  assert.ok(playback.levelsLoaded >= 1 && playback.levelSwitches >= 1, `levels loaded ${playback.levelsLoaded}, switches ${playback.levelSwitches}`);
  assert.ok(Math.abs(playback.currentTime - durationS) <= 0.5, `played to ${playback.currentTime} s of ${durationS} s`);
  assert.ok(Math.abs(playback.duration - durationS) <= 0.5, `media duration ${playback.duration} s, recording ${durationS} s`);
});

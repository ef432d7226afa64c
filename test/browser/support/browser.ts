import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The browser tests' `skip`: false with Chromium installed, the reason otherwise; in CI (`CI=true`, where
 * scripts/test-services.sh installs it) a missing Chromium fails the file instead.
 */
export const noChromium: string | false = existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} is missing (apt-get install -y chromium); browser tests skipped`;
if (noChromium && process.env.CI === 'true') throw new Error(`CI needs Chromium: ${noChromium}`);

/** The committed speech fixture Chromium plays as its microphone (it loops: speech, then silence). */
const MICROPHONE_WAV = fileURLToPath(new URL('../../fixtures/browser-microphone.wav', import.meta.url));

/**
 * The same question after 6 s of silence (6 s after it, looped): a call that opens with a greeting hears the greeting
 * out before the caller speaks.
 */
export const MICROPHONE_AFTER_GREETING_WAV = fileURLToPath(new URL('../../fixtures/browser-microphone-after-greeting.wav', import.meta.url));

/** Debian's Chromium, headless, with a fake microphone reading a WAV and sound allowed without a gesture. */
export function launchChromium(microphoneWav = MICROPHONE_WAV): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${microphoneWav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Where the browser tests save their screenshots: docs/screenshots with ECHOSPHERE_SCREENSHOTS=1 (to refresh the
 * committed ones), a temporary folder otherwise, so a test run leaves the working tree alone.
 */
const SCREENSHOTS =
  process.env.ECHOSPHERE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : path.join(tmpdir(), 'echosphere-screenshots');

/** Saves `page` as `<name>.png` in the screenshots folder (whole page by default). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

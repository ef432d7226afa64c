import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake.ts';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';
import { launchChromium, noChromium } from './support/browser.ts';
import { startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';

interface ApiKey {
  id: string;
  name: string;
  revoked_at: string | null;
  expires_at: string | null;
}

const ELEVENLABS_KEY = 'el-account-key-0001';

/** What a new user meets in the first hour: signing in and out, the builder, the API reference. */
describe('first hour in Chromium', { skip: noChromium }, () => {
  let stack: DashboardStack;
  let browser: Browser;
  let elevenLabs: ElevenLabsFake;

  /** A page signed in with the organization's key, in a context of its own. */
  const signedIn = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: stack.baseUrl });
    await context.addInitScript((key) => sessionStorage.setItem('echosphere.key', key), stack.secretKey);
    return { context, page: await context.newPage() };
  };
  /** The API as the organization, every answer checked against the contract. */
  const apiCall = async (method: string, route: string, body?: unknown) => {
    const response = await apiClient(stack.baseUrl, stack.secretKey)(method, route, body);
    assert.ok(response.status < 300, `${method} ${route}: ${response.status}`);
    return response.body;
  };
  const listKeys = async (): Promise<ApiKey[]> => (await apiCall('GET', '/v1/api-keys?limit=100')).data;

  before(async () => {
    stack = await startDashboardStack();
    browser = await launchChromium();
    elevenLabs = await startElevenLabsFake({
      apiKey: ELEVENLABS_KEY,
      voices: [
        { voice_id: 'JBFqnCBsd6RMkjVDRZzb', name: 'George', labels: { language: 'en' } },
        { voice_id: 'EXAVITQu4vr4xnSDxMaL', name: 'Sarah' },
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await elevenLabs?.close();
  });

  it("switching a provider starts its fields afresh, and voices are picked from the provider's list", async () => {
    const { context, page } = await signedIn();
    await page.goto('/assistants/new');
    await page.getByLabel('Name', { exact: true }).fill('Polyglot');
    const voiceProvider = page.locator('[data-field="voice.provider"] select');
    const voice = page.locator('[data-field="voice.voice_id"] select');
    await voice.locator('option', { hasText: 'English (American)' }).waitFor({ state: 'attached' });
    assert.equal(await voice.inputValue(), 'en-us');

    await voiceProvider.selectOption('elevenlabs');
    const typedVoice = page.locator('[data-field="voice.voice_id"] input');
    await page.locator('[data-field="voice.voice_id"] .hint', { hasText: 'Add an ElevenLabs key under Providers' }).waitFor();
    assert.equal(await typedVoice.inputValue(), '', 'the eSpeak voice id is not kept for ElevenLabs');
    assert.match(await page.locator('[data-field="voice.base_url"] .hint').innerText(), /ElevenLabs endpoint, used with the organization's own ElevenLabs key/);

    await voiceProvider.selectOption('openai');
    await voice.locator('option', { hasText: 'Alloy' }).waitFor({ state: 'attached' });
    assert.equal(await voice.inputValue(), 'alloy');

    await voiceProvider.selectOption('local');
    await voice.locator('option', { hasText: 'German' }).waitFor({ state: 'attached' });
    await voice.selectOption({ label: 'German (de)' });
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    await page.waitForURL(/\/assistants\/asst_/);
    const id = /\/assistants\/(asst_[^/]+)/.exec(page.url())![1]!;
    assert.deepEqual((await apiCall('GET', `/v1/assistants/${id}`)).voice, { provider: 'local', voice_id: 'de', speed_wpm: 175 });

    // With the organization's ElevenLabs key, the account's voices are the choices.
    await apiCall('PUT', '/v1/provider-credentials/elevenlabs', { api_key: ELEVENLABS_KEY, base_url: elevenLabs.baseUrl });
    await voiceProvider.selectOption('elevenlabs');
    await voice.locator('option', { hasText: 'George (en)' }).waitFor({ state: 'attached' });
    await voice.selectOption({ label: 'Sarah' });
    await page.getByRole('button', { name: 'Save changes' }).first().click();
    await page.getByText('Saved.').waitFor();
    assert.equal((await apiCall('GET', `/v1/assistants/${id}`)).voice.voice_id, 'EXAVITQu4vr4xnSDxMaL');
    await context.close();
  });

  it('shows every problem the API finds at once, each at its field', async () => {
    const { context, page } = await signedIn();
    await page.goto('/assistants/new');
    await page.getByLabel('Name', { exact: true }).fill('Chat');
    await page.locator('[data-field="model.provider"] select').selectOption('openai');
    await page.getByLabel('Temperature').fill('5');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    const banner = page.getByRole('alert').filter({ hasText: 'Check these 2 fields' });
    await banner.waitFor();
    assert.equal(await page.locator('[data-field="model.temperature"] .field-error').innerText(), 'must be at most 2');
    assert.match(await page.locator('[data-field="system_prompt"] .field-error').innerText(), /is required with the openai model/);
    await context.close();
  });

  it('the sign-in link mints a key that expires within a day and that signing out revokes', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await page.goto(`/#login=${stack.signInCodes.issue(stack.orgId)}`);
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    const minted = (await listKeys()).find((key) => key.name === 'Dashboard sign-in' && !key.revoked_at);
    assert.ok(minted?.expires_at, 'the minted key has an expiry');
    const lifetimeHours = (Date.parse(minted.expires_at) - Date.now()) / 3_600_000;
    assert.ok(lifetimeHours > 11 && lifetimeHours <= 12, `expires in ${lifetimeHours} h`);
    const mintedKey = await page.evaluate(() => sessionStorage.getItem('echosphere.key'));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await waitFor(async () => (await listKeys()).find((key) => key.id === minted.id && key.revoked_at), 'the minted key revoked');
    const refused = await fetch(`${stack.baseUrl}/v1/assistants`, { headers: { authorization: `Bearer ${mintedKey}` } });
    assert.equal(refused.status, 401);
    await context.close();
  });

  it('signing out of a pasted key leaves the key valid', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Secret key').fill(stack.secretKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const still = await fetch(`${stack.baseUrl}/v1/assistants`, { headers: { authorization: `Bearer ${stack.secretKey}` } });
    assert.equal(still.status, 200);
    await context.close();
  });

  it('the API reference at /docs renders with every request answered by the server itself', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl });
    const elsewhere: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(stack.baseUrl)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto('/docs');
    await page.getByRole('heading', { name: 'Create an assistant' }).first().waitFor();
    assert.deepEqual(elsewhere, []);
    await context.close();
  });
});


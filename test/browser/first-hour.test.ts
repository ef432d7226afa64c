import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/wait-for.ts';
import { hasChromium, launchChromium, SKIP_REASON } from './support/browser.ts';
import { startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';

interface ApiKey {
  id: string;
  name: string;
  revoked_at: string | null;
  expires_at: string | null;
}

/** What a new user meets in the first hour: signing in and out, the API reference. */
describe('first hour in Chromium', { skip: hasChromium ? false : SKIP_REASON }, () => {
  let stack: DashboardStack;
  let browser: Browser;

  const listKeys = async (): Promise<ApiKey[]> => {
    const response = await fetch(`${stack.baseUrl}/v1/api-keys?limit=100`, { headers: { authorization: `Bearer ${stack.secretKey}` } });
    return ((await response.json()) as { data: ApiKey[] }).data;
  };

  before(async () => {
    stack = await startDashboardStack();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
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


import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { endChargedSession } from '../billing/support.ts';
import { noChromium, screenshot } from './support/browser.ts';
import { closeDashboard, openSignedInDashboard, startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';

/** The dashboard's way of showing an exact amount: cents, or every micro-dollar when there are any. */
const shown = (usd: string) => {
  const [whole, fraction] = usd.split('.');
  const trimmed = fraction!.replace(/0+$/, '');
  return `$${whole}.${trimmed.length <= 2 ? trimmed.padEnd(2, '0') : trimmed}`;
};

describe('the Usage page in Chromium', { skip: noChromium }, () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  const sessions: string[] = [];

  before(async () => {
    stack = await startDashboardStack();
    for (const seconds of [42, 75, 130]) sessions.push((await endChargedSession(stack.db, stack.orgId, seconds)).sessionId);
    await stack.api('PATCH', '/v1/organization', { settings: { monthly_spend_limit_usd: '25', monthly_minutes_limit: 600 } });
    ({ browser, page, pageErrors } = await openSignedInDashboard(stack));
  });
  after(() => closeDashboard({ browser, stack, pageErrors }));

  it('shows the month against the limits, a chart, and usage by assistant and provider matching the API', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    const month = await stack.api<{ total: { cost_usd: string; minutes: number } }>('GET', '/v1/usage?group_by=provider');
    assert.ok(Number(month.total.cost_usd) > 0);
    assert.equal(await page.getByTestId('month-cost').textContent(), shown(month.total.cost_usd));
    assert.equal(await page.getByTestId('spend-limit').textContent(), 'of $25.00 limit');
    assert.equal(await page.getByTestId('minutes-limit').textContent(), 'of 600 limit');
    assert.equal(await page.getByTestId('month-minutes').textContent(), String(month.total.minutes));
    assert.equal(await page.getByTestId('billing-status').textContent(), 'off');
    // The chart is drawn: one bar per day with usage.
    await page.getByTestId('usage-chart').locator('.recharts-bar-rectangle').first().waitFor();

    const providers = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Provider' }) });
    const byProvider = await stack.api<{ data: Array<{ key: string; cost_usd: string }> }>('GET', '/v1/usage?group_by=provider');
    for (const group of byProvider.data) {
      const row = providers.getByRole('row').filter({ has: page.getByRole('cell', { name: group.key, exact: true }) });
      assert.equal(await row.getByRole('cell').last().textContent(), shown(group.cost_usd), group.key);
    }
    const assistants = page.getByRole('region', { name: 'Usage by assistant' }).getByRole('row');
    assert.equal(await assistants.count(), 1 + sessions.length, 'a row per assistant (each session had its own)');
    await screenshot(page, 'usage');
  });

  it('the session page shows its cost breakdown adding up to the total', async () => {
    const session = await stack.api<{ cost: { total_usd: string; breakdown: Array<{ cost_usd: string }> } }>('GET', `/v1/sessions/${sessions[1]}`);
    await page.goto(`/sessions/${sessions[1]}`);
    const table = page.getByRole('table', { name: 'Cost breakdown' });
    await table.waitFor();
    assert.equal(await page.getByTestId('session-cost-total').textContent(), shown(session.cost.total_usd));
    assert.equal(await table.getByRole('row').count(), 1 + session.cost.breakdown.length + 1, 'header, a row per line, the total');
  });
});

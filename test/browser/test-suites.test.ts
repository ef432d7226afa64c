import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { newId } from '../../core/ids.ts';
import { apiClient } from '../support/client.ts';
import { noChromium, screenshot } from './support/browser.ts';
import { closeDashboard, openSignedInDashboard, startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';

/** A run's page once every scenario has a result (the page polls the run). */
async function finishedRun(page: Page): Promise<void> {
  await page.getByTestId('run-status').filter({ hasText: /^(completed|failed)$/ }).waitFor({ timeout: 240_000 });
}

async function addScriptedScenario(page: Page, index: number, name: string, line: string, expected: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Add scripted scenario' }).click();
  const scenario = page.getByTestId(`scenario-${index}`);
  await scenario.getByLabel('Scenario name').fill(name);
  await scenario.getByLabel('Caller lines').fill(line);
  await scenario.getByRole('button', { name: 'Add match criterion' }).click();
  const criterion = scenario.getByTestId('criterion-0');
  await criterion.getByLabel('Criterion name').fill(`Says ${expected}`);
  await criterion.getByLabel('Text or pattern').fill(expected);
  return scenario;
}

describe('test suites in the dashboard, in Chromium', { skip: noChromium }, () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let call: ReturnType<typeof apiClient>;
  let assistantId: string;
  let suiteId: string;
  let failedSessionId: string;
  let pageErrors: string[] = [];
  const shot = (name: string) => screenshot(page, name);

  before(async () => {
    stack = await startDashboardStack();
    call = apiClient(stack.baseUrl, stack.secretKey);
    // A scripted assistant that knows its opening hours and nothing about refunds.
    const created = await call('POST', '/v1/assistants', {
      name: 'Front desk',
      system_prompt: 'You answer questions about the shop.',
      first_message: 'Hello, how can I help?',
      model: { provider: 'scripted', script: { rules: [{ pattern: 'hours', reply: 'We are open from nine to five.' }], default_reply: 'Sorry, I cannot help with that.' } },
    });
    assert.equal(created.status, 201);
    assistantId = created.body.id;
    ({ browser, page, pageErrors } = await openSignedInDashboard(stack));
  });
  after(() => closeDashboard({ browser, stack, pageErrors }));

  it('creates a suite of two scripted scenarios with their criteria, the API\'s errors under their fields', async () => {
    await page.getByRole('link', { name: 'Test suites' }).click();
    await page.getByRole('button', { name: 'New suite' }).click();
    await page.getByLabel('Suite name').fill('Front desk regressions');
    await page.getByRole('button', { name: 'Create suite' }).click();
    await page.waitForURL(/\/test-suites\/tsuite_/);
    suiteId = /\/test-suites\/(tsuite_[^/?]+)/.exec(page.url())![1]!;

    await addScriptedScenario(page, 0, 'Opening hours', 'What are your opening hours?', 'nine to five');
    const refund = await addScriptedScenario(page, 1, 'Refund', 'I would like a refund please.', 'refund approved');
    // A regular expression the linear-time engine refuses is named under its input.
    await refund.getByTestId('criterion-0').getByLabel('Passes when').selectOption('regex');
    await refund.getByTestId('criterion-0').getByLabel('Text or pattern').fill('(?=refund)');
    await page.getByRole('button', { name: 'Save suite' }).first().click();
    const patternError = page.locator('[data-field="scenarios.1.criteria.0.pattern"] .field-error');
    await patternError.waitFor();
    assert.match(await patternError.innerText(), /lookahead/);
    await refund.getByTestId('criterion-0').getByLabel('Passes when').selectOption('contains');
    await refund.getByTestId('criterion-0').getByLabel('Text or pattern').fill('refund approved');
    await page.getByRole('button', { name: 'Save suite' }).first().click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const saved = (await call('GET', `/v1/test-suites/${suiteId}`)).body;
    assert.deepEqual(
      saved.scenarios.map((scenario: { name: string; caller: unknown; input: string; criteria: unknown[] }) => [scenario.name, scenario.caller, scenario.input, scenario.criteria]),
      [
        ['Opening hours', { turns: ['What are your opening hours?'] }, 'text', [{ kind: 'match', name: 'Says nine to five', role: 'assistant', mode: 'contains', pattern: 'nine to five' }]],
        ['Refund', { turns: ['I would like a refund please.'] }, 'text', [{ kind: 'match', name: 'Says refund approved', role: 'assistant', mode: 'contains', pattern: 'refund approved' }]],
      ],
    );
    await shot('test-suite');
  });

  it('runs the suite against the assistant: results arrive, one scenario passes and one fails on its criterion', async () => {
    await page.getByLabel('Assistant', { exact: true }).selectOption(assistantId);
    await page.getByRole('button', { name: 'Run suite' }).click();
    await page.waitForURL(/\/test-runs\/trun_/);
    await finishedRun(page);
    assert.equal(await page.getByTestId('run-status').innerText(), 'completed');
    assert.equal(await page.getByTestId('run-passed').innerText(), '1 / 2');
    assert.equal(await page.getByTestId('run-failed').innerText(), '1');

    const passed = page.locator('[data-scenario="Opening hours"]');
    assert.equal(await passed.getAttribute('data-status'), 'passed');
    assert.equal(await passed.locator('[data-criterion="Says nine to five"] .badge').innerText(), 'pass');
    const failed = page.locator('[data-scenario="Refund"]');
    assert.equal(await failed.getAttribute('data-status'), 'failed');
    const failedScore = failed.locator('[data-criterion="Says refund approved"]');
    assert.equal(await failedScore.locator('.badge').innerText(), 'fail');
    const runId = /\/test-runs\/(trun_[^/?]+)/.exec(page.url())![1]!;
    const run = (await call('GET', `/v1/test-runs/${runId}`)).body;
    const failedResult = run.results.find((result: { scenario_name: string }) => result.scenario_name === 'Refund');
    assert.equal(await failedScore.locator('.score-rationale').innerText(), failedResult.scores[0].rationale);
    failedSessionId = failedResult.session_id;
    await shot('test-run');
  });

  it('opens the failed scenario\'s session: the transcript and the failed score', async () => {
    await page.locator('[data-scenario="Refund"]').getByRole('link', { name: 'Open session' }).click();
    await page.waitForURL(`**/sessions/${failedSessionId}`);
    const transcript = page.locator('.transcript');
    await transcript.getByText('I would like a refund please.').waitFor();
    await transcript.getByText('Sorry, I cannot help with that.').waitFor();
    const score = page.getByTestId('evaluation').locator('[data-criterion="Says refund approved"]');
    await score.waitFor();
    assert.equal(await score.locator('.badge').innerText(), 'fail');
    assert.equal(await page.getByTestId('evaluation-passed').innerText(), 'not passed');
  });

  it('adds the session to the suite as a regression scenario', async () => {
    await page.getByRole('button', { name: 'Add to test suite' }).click();
    await page.getByRole('status').filter({ hasText: 'Front desk regressions' }).waitFor();
    const suite = (await call('GET', `/v1/test-suites/${suiteId}`)).body;
    assert.equal(suite.scenarios.length, 3);
    const added = suite.scenarios[2];
    assert.equal(added.source_session_id, failedSessionId);
    assert.deepEqual(added.caller, { turns: ['I would like a refund please.'] });
  });

  it('runs the suite against the builder\'s unsaved changes, and lists the runs on the assistant\'s page', async () => {
    await page.goto(`/assistants/${assistantId}`);
    await page.getByLabel('Default reply').fill('Your refund approved, goodbye.');
    await page.getByRole('button', { name: 'Run suite against unsaved changes' }).click();
    await page.waitForURL(/\/test-runs\/trun_/);
    await finishedRun(page);
    // The patch sits in a closed <details>: its text, not its rendered text.
    const patch = JSON.parse((await page.getByTestId('assistant-patch').textContent()) ?? '');
    assert.deepEqual(Object.keys(patch), ['model']);
    assert.equal(patch.model.script.default_reply, 'Your refund approved, goodbye.');
    assert.equal(await page.locator('[data-scenario="Refund"]').getAttribute('data-status'), 'passed');
    // The saved assistant is left as it was.
    assert.equal((await call('GET', `/v1/assistants/${assistantId}`)).body.model.script.default_reply, 'Sorry, I cannot help with that.');

    await page.goto(`/assistants/${assistantId}`);
    const history = page.getByTestId('assistant-test-runs');
    await history.locator('tbody tr').nth(1).waitFor();
    assert.equal(await history.locator('tbody tr').count(), 2);
    assert.equal(await history.locator('tbody tr').first().getByText('unsaved changes').count(), 1);
  });

  it("keeps a scenario's recorded clips when the suite is saved, and drops a changed line's", async () => {
    // As from-session leaves a spoken session's scenario: its line replays a clip the suite owns.
    const clip = newId('callerClip');
    const stored = (await call('GET', `/v1/test-suites/${suiteId}`)).body.scenarios;
    stored[2].caller = { turns: ['I would like a refund please.'], turn_audio: [clip] };
    await stack.db.system((trx) => trx('test_suites').where({ id: suiteId }).update({ scenarios: JSON.stringify(stored) }));

    await page.goto(`/test-suites/${suiteId}`);
    const scenario = page.getByTestId('scenario-2');
    await scenario.getByLabel('Caller lines').fill('First line\nI would like a refund please.');
    assert.equal(await page.getByTestId('scenario-2-recorded').innerText(), "1 of 2 lines replay the caller's recorded voice when spoken; a changed line is synthesised.");
    await page.getByRole('button', { name: 'Save suite' }).first().click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const kept = (await call('GET', `/v1/test-suites/${suiteId}`)).body.scenarios[2].caller;
    assert.deepEqual(kept, { turns: ['First line', 'I would like a refund please.'], turn_audio: [null, clip] });

    await scenario.getByLabel('Caller lines').fill('I would like my money back.');
    assert.equal(await page.getByTestId('scenario-2-recorded').innerText(), "0 of 1 lines replay the caller's recorded voice when spoken; a changed line is synthesised.");
    await page.getByRole('button', { name: 'Save suite' }).first().click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.deepEqual((await call('GET', `/v1/test-suites/${suiteId}`)).body.scenarios[2].caller, { turns: ['I would like my money back.'] });
  });
});

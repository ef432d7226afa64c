import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../support/client.ts';
import { waitFor } from '../support/wait-for.ts';
import { finishedEvaluation, typedSession } from '../evaluations/support.ts';
import { noChromium, screenshot } from './support/browser.ts';
import { closeDashboard, openSignedInDashboard, startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';
import { fillNewScriptedAssistant } from './support/assistant-form.ts';

describe('evaluations in the dashboard, in Chromium', { skip: noChromium }, () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let assistantId: string;
  let sessionId: string;
  let pageErrors: string[] = [];
  const shot = (name: string) => screenshot(page, name);

  before(async () => {
    stack = await startDashboardStack();
    ({ browser, page, pageErrors } = await openSignedInDashboard(stack));
  });
  after(() => closeDashboard({ browser, stack, pageErrors }));

  it('builds an analysis in the builder: summary, schema, and a scorecard of the three kinds, with errors at their fields', async () => {
    await fillNewScriptedAssistant(page, {
      name: 'Bookings',
      systemPrompt: 'You take table bookings.',
      firstMessage: 'Hello, Bella Pasta.',
      pattern: 'table|book',
      reply: 'Booked: a table for four on Friday.',
      defaultReply: 'Goodbye!',
    });

    await page.getByLabel('Write a summary of each session').check();
    await page.getByLabel('Structured data (JSON Schema)').fill('{"type": "object", "properties": {"party_size": {"type": "integer"}}}');
    await page.getByRole('button', { name: 'Add llm criterion' }).click();
    await page.getByRole('button', { name: 'Add metric criterion' }).click();
    await page.getByRole('button', { name: 'Add match criterion' }).click();
    const llm = page.getByTestId('criterion-0');
    await llm.getByLabel('Criterion name').fill('Confirmed');
    await llm.getByLabel('Question for the judge').fill('Did the assistant confirm the day?');
    const metric = page.getByTestId('criterion-1');
    await metric.getByLabel('Criterion name').fill('Caller spoke');
    await metric.getByLabel('Metric').selectOption('user_turns');
    await metric.getByLabel('Operator').selectOption('gte');
    await metric.getByLabel('Threshold').fill('1');
    const match = page.getByTestId('criterion-2');
    await match.getByLabel('Criterion name').fill('Says booked');
    await match.getByLabel('Passes when').selectOption('regex');
    await match.getByLabel('Text or pattern').fill('(?=booked)');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();

    // The API refuses the schema strict structured outputs would refuse, and names the field.
    const schemaError = page.locator('[data-field="analysis.structured_data.schema"] .field-error');
    await schemaError.waitFor();
    assert.match(await schemaError.innerText(), /must set "additionalProperties": false/);
    await page.getByLabel('Structured data (JSON Schema)').fill('{"type": "object", "additionalProperties": false, "required": ["party_size"], "properties": {"party_size": {"type": ["integer", "null"]}}}');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    const patternError = page.locator('[data-field="analysis.scorecard.criteria.2.pattern"] .field-error');
    await patternError.waitFor();
    assert.match(await patternError.innerText(), /lookahead/);
    await match.getByLabel('Text or pattern').fill('\\bbooked\\b');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    await page.waitForURL(/\/assistants\/asst_/);
    assistantId = /\/assistants\/(asst_[^/]+)/.exec(page.url())![1]!;
    await shot('assistant-analysis');

    const call = apiClient(stack.baseUrl, stack.secretKey);
    const saved = (await call('GET', `/v1/assistants/${assistantId}`)).body;
    assert.deepEqual(
      saved.analysis.scorecard.criteria.map((criterion: { kind: string; name: string }) => [criterion.kind, criterion.name]),
      [['llm', 'Confirmed'], ['metric', 'Caller spoke'], ['match', 'Says booked']],
    );
    assert.deepEqual(saved.analysis.scorecard.criteria[1], { kind: 'metric', name: 'Caller spoke', metric: 'user_turns', operator: 'gte', threshold: 1, tool: null });
    assert.equal(saved.analysis.summary.enabled, true);
  });

  it('shows the scores with their rationale, and a score\'s evidence seeks the recording and the transcript', async () => {
    const call = apiClient(stack.baseUrl, stack.secretKey);
    sessionId = await typedSession(call, stack.baseUrl, assistantId, ['I would like to book a table.', 'Thanks.']);
    const evaluation = await finishedEvaluation(call, sessionId);
    const matchScore = evaluation.scores.find((score: { criterion: string }) => score.criterion === 'Says booked');
    const cited = matchScore.evidence[0];

    await page.goto(`/sessions/${sessionId}`);
    const panel = page.getByTestId('evaluation');
    await panel.locator('[data-criterion="Says booked"]').waitFor();
    assert.equal(await panel.getByTestId('overall-score').innerText(), '100%');
    assert.equal(await panel.getByTestId('evaluation-passed').innerText(), 'passed');
    const scored = panel.locator('[data-criterion="Says booked"]');
    assert.equal(await scored.locator('.badge').innerText(), 'pass');
    assert.equal(await scored.locator('.score-rationale').innerText(), matchScore.rationale);
    assert.equal(await panel.locator('[data-criterion="Caller spoke"] .badge').innerText(), 'pass');
    const skipped = panel.locator('[data-criterion="Confirmed"]');
    assert.equal(await skipped.locator('.badge').innerText(), 'skipped');
    assert.match(await skipped.locator('.score-rationale').innerText(), /^No judge model: there is no openai API key/);

    // The recording is ready before its player can be sought.
    await page.getByTestId('current-rendition').filter({ hasText: 'Playing' }).waitFor({ timeout: 30_000 });
    await scored.locator(`button[data-message-id="${cited.message_id}"]`).click();
    await page.locator(`.transcript [data-message-id="${cited.message_id}"][aria-current="true"]`).waitFor();
    const position = await waitFor(
      () => page.getByTestId('recording-audio').evaluate((audio: HTMLAudioElement) => (audio.currentTime > 0 ? audio.currentTime : 0)),
      'the recording to seek',
    );
    assert.ok(position * 1000 >= cited.start_ms, `the recording plays from the evidence (${position}s, cited at ${cited.start_ms} ms)`);
    await shot('session-evaluation');
  });

  it('charts the assistant\'s pass rate and per-criterion trends', async () => {
    await page.goto(`/assistants/${assistantId}`);
    const trends = page.getByTestId('evaluation-trends');
    await trends.getByTestId('trend-summary').waitFor();
    assert.equal(await trends.getByTestId('trend-summary').innerText(), '100% of 1 evaluated session passed in the last 30 days.');
    // One day of data: each line is its one point. The pass rate and the two scored criteria (the llm one was skipped).
    await trends.locator('.recharts-line-dot').first().waitFor();
    assert.equal(await trends.locator('.recharts-line').count(), 3);
    assert.equal(await trends.locator('.recharts-line-dot').count(), 3);
    const legend = await trends.locator('.recharts-legend-item-text').allInnerTexts();
    assert.deepEqual(legend.sort(), ['Caller spoke', 'Pass rate', 'Says booked']);
    await trends.scrollIntoViewIfNeeded();
    await shot('assistant-trends');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { waitForSettled } from '../recordings/pipeline.ts';
import { startReceiver } from '../webhooks/receiver.ts';
import { noChromium, screenshot } from './support/browser.ts';
import { closeDashboard, openDashboard, startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';
import { fillNewScriptedAssistant } from './support/assistant-form.ts';

const SPOKEN = 'What are your opening hours on Saturday?';
const HOURS_REPLY = 'We are open from nine to five.';
/** The organization's own Deepgram key (the API takes keys of 8 characters or more); the fake accepts only it. */
const DEEPGRAM_KEY = 'dg-test-own-key';

describe('dashboard in Chromium', { skip: noChromium }, () => {
  let stack: DashboardStack;
  let deepgram: DeepgramFake;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let assistantId: string;
  let spokenSessionId: string;
  let pageErrors: string[] = [];

  const shot = (name: string) => screenshot(page, name, { fullPage: false });
  /** A scripted assistant that waits for the caller, heard through the Deepgram fake, and answers about opening hours. */
  const listeningAssistant = (fields: { name: string; systemPrompt: string; reply: string; defaultReply: string }) =>
    stack.api<{ id: string }>('POST', '/v1/assistants', {
      name: fields.name,
      system_prompt: fields.systemPrompt,
      first_message: null,
      model: { provider: 'scripted', script: { rules: [{ pattern: 'opening hours', reply: fields.reply }], default_reply: fields.defaultReply } },
      transcriber: { provider: 'deepgram', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
    });

  before(async () => {
    deepgram = await startDeepgramFake({ apiKey: DEEPGRAM_KEY });
    stack = await startDashboardStack();
    receiver = await startReceiver();
    // Counts assistant audio buffers the page stops early (the playback queue stops them only when audio is cleared).
    const countStoppedAudio = () => {
      const counters = { stopped: 0 };
      (window as unknown as { audioCounters: typeof counters }).audioCounters = counters;
      const stop = AudioBufferSourceNode.prototype.stop;
      AudioBufferSourceNode.prototype.stop = function (this: AudioBufferSourceNode, when?: number) {
        counters.stopped++;
        return stop.call(this, when);
      };
    };
    ({ browser, page, pageErrors } = await openDashboard(stack, { initScript: countStoppedAudio, viewportHeight: 820 }));
  });
  after(() => closeDashboard({ browser, stack, pageErrors }, deepgram, receiver));

  it('signs in with the one-time link, which works only once, and removes it from the address bar', async () => {
    const code = stack.signInCodes.issue(stack.orgId);
    await page.goto(`/#login=${code}`);
    await page.getByRole('heading', { name: 'Assistants' }).waitFor();
    assert.equal(new URL(page.url()).hash, '');
    assert.match((await page.evaluate(() => sessionStorage.getItem('echosphere.key'))) ?? '', /^sk_/);
    const keys = await stack.api<{ data: { name: string }[] }>('GET', '/v1/api-keys');
    assert.ok(keys.data.some((key) => key.name === 'Dashboard sign-in'));

    const other = await browser.newContext({ baseURL: stack.baseUrl });
    const replay = await other.newPage();
    await replay.goto(`/#login=${code}`);
    await replay.getByText('already used or has expired').waitFor();
    await screenshot(replay, 'sign-in', { fullPage: false });
    await other.close();
  });

  it('signs in with a pasted key and signs out', async () => {
    const other = await browser.newContext({ baseURL: stack.baseUrl });
    const fresh = await other.newPage();
    await fresh.goto('/');
    await fresh.getByLabel('Secret key').fill('sk_not_a_real_key');
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByText('That key is not valid').waitFor();
    await fresh.getByLabel('Secret key').fill(stack.secretKey);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByRole('heading', { name: 'Assistants' }).waitFor();
    await fresh.getByRole('button', { name: 'Sign out' }).click();
    await fresh.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await fresh.evaluate(() => sessionStorage.getItem('echosphere.key')), null);
    await other.close();
  });

  it('builds an assistant through the form, showing the API validation error at its field', async () => {
    await fillNewScriptedAssistant(page, {
      name: 'Front desk',
      systemPrompt: 'You answer questions about the shop, briefly.',
      firstMessage: 'Hello! Ask me about our opening hours.',
      pattern: 'opening hours|open',
      reply: HOURS_REPLY,
      defaultReply: 'Sorry, I only know our opening hours.',
    });
    await page.getByLabel('End of turn: minimum wait (ms)').fill('800');
    await page.getByLabel('End of turn: maximum wait (ms)').fill('300');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();

    const fieldError = page.locator('[data-field="turn.endpointing_max_delay_ms"] .field-error');
    await fieldError.waitFor();
    assert.equal(await fieldError.innerText(), 'must be at least endpointing_min_delay_ms');
    assert.equal(await page.getByLabel('End of turn: maximum wait (ms)').getAttribute('aria-invalid'), 'true');
    await page.locator('[data-field="turn.endpointing_min_delay_ms"]').scrollIntoViewIfNeeded();
    await shot('assistant-validation');

    await page.getByLabel('End of turn: maximum wait (ms)').fill('3000');
    await page.getByRole('button', { name: 'Add function tool' }).click();
    await page.getByLabel('Function name').fill('lookup_order');
    await page.getByLabel('Function description').fill('Looks up an order by its number.');
    await page.getByLabel('Parameters (JSON Schema)').fill('{"type": "object", "properties": {"order": {"type": "string"}}');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    await page.locator('[data-field="tools.0.parameters"] .field-error', { hasText: 'is not valid JSON' }).waitFor();
    await page.getByLabel('Parameters (JSON Schema)').fill('{"type": "object", "properties": {"order": {"type": "string"}}, "required": ["order"]}');
    await page.getByLabel('Function server URL').fill('not a url');
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    await page.locator('[data-field="tools.0.server.url"] .field-error').waitFor();
    await page.getByLabel('Function server URL').fill(receiver.url('/tools/lookup'));
    await page.getByRole('button', { name: 'Create assistant' }).first().click();
    await page.waitForURL(/\/assistants\/asst_/);
    await page.getByRole('heading', { name: 'Front desk' }).waitFor();
    assistantId = /\/assistants\/(asst_[^/]+)/.exec(page.url())![1]!;
    const saved = await stack.api<{ turn: { endpointing_max_delay_ms: number }; model: { provider: string }; tools: { name: string; parameters: { required: string[] } }[] }>('GET', `/v1/assistants/${assistantId}`);
    assert.equal(saved.turn.endpointing_max_delay_ms, 3000);
    assert.deepEqual(saved.tools.map((tool) => [tool.name, tool.parameters.required]), [['lookup_order', ['order']]]);
    assert.equal(saved.model.provider, 'scripted');
    await shot('assistant-builder');
  });

  it('holds a typed test call and receives the assistant audio', async () => {
    await page.getByRole('link', { name: 'Test call' }).click();
    await page.getByRole('button', { name: 'Start call' }).click();
    await page.getByTestId('call-status').getByText('Live').waitFor();
    await page.locator('.bubble.assistant', { hasText: 'Ask me about our opening hours' }).waitFor();
    await page.getByLabel('Type a message').fill('What are your opening hours?');
    await page.getByRole('button', { name: 'Send' }).click();
    // The reply's words show as they are spoken, before the whole reply has played.
    const spokenSoFar = await page.waitForFunction(() => {
      const interim = document.querySelector('.bubble.assistant.interim');
      return interim ? (interim.lastChild?.textContent ?? null) : null;
    });
    const partial = (await spokenSoFar.jsonValue()) as string;
    assert.ok(HOURS_REPLY.startsWith(partial) && partial.length < HOURS_REPLY.length, partial);
    await page.locator('.bubble.assistant', { hasText: HOURS_REPLY }).waitFor();
    await page.waitForFunction(() => Number.parseFloat(document.querySelector('[data-testid="audio-received"]')?.textContent?.replace(/[^\d.]/g, '') ?? '0') > 1);
    await page.getByTestId('agent-state').waitFor();
    await shot('test-call');
    await page.getByRole('button', { name: 'End call' }).click();
    await page.getByRole('link', { name: 'Open the session' }).waitFor();
  });

  it('holds a spoken turn through the fake microphone', async () => {
    // The fake is an endpoint the organization chose: only its own key goes there.
    await stack.api('PUT', '/v1/provider-credentials/deepgram', { api_key: DEEPGRAM_KEY });
    const spoken = await listeningAssistant({ name: 'Voice line', systemPrompt: 'You answer questions about the shop.', reply: HOURS_REPLY, defaultReply: 'Could you repeat that?' });
    deepgram.nextUtterance(SPOKEN);
    await page.goto(`/assistants/${spoken.id}/call`);
    assert.equal(await page.getByLabel('Use microphone').isChecked(), true);
    await page.getByRole('button', { name: 'Start call' }).click();
    await page.getByText('Microphone on').waitFor();
    await page.locator('.bubble.user', { hasText: SPOKEN }).waitFor({ timeout: 20_000 });
    await page.locator('.bubble.assistant', { hasText: HOURS_REPLY }).waitFor();
    await page.getByTestId('turn-latency').locator('tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'End call' }).click();
    const link = page.getByRole('link', { name: 'Open the session' });
    await link.waitFor();
    spokenSessionId = /\/sessions\/(sess_[^/]+)/.exec((await link.getAttribute('href'))!)![1]!;
  });

  it('drops the queued assistant audio at once when the caller barges in', async () => {
    const longReply = Array.from({ length: 4 }, (_, i) => `This is sentence number ${i + 1} of a long answer about our opening hours.`).join(' ');
    const assistant = await listeningAssistant({ name: 'Talkative line', systemPrompt: 'You talk a lot.', reply: longReply, defaultReply: 'Okay, go ahead.' });
    deepgram.nextUtterance(SPOKEN);
    await page.goto(`/assistants/${assistant.id}/call`);
    await page.getByRole('button', { name: 'Start call' }).click();
    await page.getByTestId('agent-state').getByText('Speaking').waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { audioCounters: { stopped: number } }).audioCounters.stopped), 0);
    // The fake microphone loops: the question is heard again while the long reply plays, and interrupts it.
    await page.locator('.bubble.assistant', { hasText: 'sentence number 1' }).locator('.badge', { hasText: 'interrupted' }).waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => (window as unknown as { audioCounters: { stopped: number } }).audioCounters.stopped > 0, undefined, { timeout: 5000 });
    await page.getByTestId('agent-state').getByText('Listening').waitFor();
    await page.getByRole('button', { name: 'End call' }).click();
    await page.getByRole('link', { name: 'Open the session' }).waitFor();
  });

  it('lists the session, plays its recording and highlights the transcript as playback advances', async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.locator(`a[href="/sessions/${spokenSessionId}"]`).waitFor();
    await page.getByLabel('Status').selectOption('ended');
    await page.locator(`a[href="/sessions/${spokenSessionId}"]`).waitFor();
    await shot('sessions');

    // The runtime recorded the call (the caller's audio as sent, the reply as played); wait for its transcode.
    const messages = (await stack.api<{ data: { role: string; start_ms: number | null }[] }>('GET', `/v1/sessions/${spokenSessionId}/messages`)).data;
    const user = messages.find((message) => message.role === 'user')!;
    const reply = messages.find((message) => message.role === 'assistant')!;
    assert.ok(user.start_ms !== null && reply.start_ms !== null && reply.start_ms > user.start_ms);
    assert.equal((await waitForSettled(stack.db, stack.orgId, spokenSessionId)).status, 'ready');

    await page.locator(`a[href="/sessions/${spokenSessionId}"]`).click();
    await page.getByTestId('ended-reason').getByText('customer-ended').waitFor();
    await page.getByTestId('current-rendition').getByText('Playing').waitFor();
    const highlighted = () => page.locator('.transcript [aria-current="true"]').getAttribute('data-message-id');

    // Clicking the caller's message seeks there and plays: it is highlighted, then the reply as playback reaches it.
    // The fake microphone loops its recording: a slow run may have heard the caller twice; the first turn is the one.
    await page.locator('.transcript .bubble.user button').first().click();
    await page.locator('.transcript .bubble.user[aria-current="true"]').waitFor();
    const atUser = await highlighted();
    await page.locator('.transcript .bubble.assistant[aria-current="true"]').waitFor({ timeout: 15_000 });
    assert.notEqual(await highlighted(), atUser);
    assert.ok((await page.getByTestId('recording-audio').evaluate((audio: HTMLAudioElement) => audio.currentTime)) * 1000 >= reply.start_ms!);
    await page.getByTestId('recording-audio').evaluate((audio: HTMLAudioElement) => audio.pause());
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByText('session.ended').first().waitFor();
    const endedAt = await page.locator('.events li', { hasText: 'session.ended' }).locator('summary .muted').first().innerText();
    assert.match(endedAt, /\d:\d{2}:\d{2}/, 'event times are shown to the second');
    // The download is what its label says: an M4A (an MP4 container: `ftyp` box) of the stereo recording.
    const download = page.getByRole('link', { name: /^Download recording \(M4A/ });
    const file = await fetch(new URL((await download.getAttribute('href'))!, stack.baseUrl));
    assert.equal((await file.arrayBuffer().then((bytes) => Buffer.from(bytes))).subarray(4, 8).toString('latin1'), 'ftyp');
    await shot('session');
  });

  it('creates a webhook endpoint, reveals its secret once and shows a test delivery in its log', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('URL').fill(receiver.url('/echosphere'));
    await page.getByLabel('Description').fill('Local receiver');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    assert.match(await page.getByTestId('revealed-secret').innerText(), /^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: receiver.url('/echosphere') }).click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    const delivery = page.locator('.delivery[data-event-type="webhook.test"]');
    await delivery.locator('.badge', { hasText: 'succeeded' }).waitFor();
    await delivery.locator('summary').click();
    await delivery.locator('td', { hasText: '200' }).waitFor();
    assert.ok(receiver.received.some((request) => request.path === '/echosphere' && request.body.includes('webhook.test')));
    await shot('webhook-endpoint');

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await page.locator('.delivery[data-event-type="webhook.test"]').nth(1).waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    assert.match(await page.getByTestId('revealed-secret').innerText(), /^whsec_/);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('.page-header .badge', { hasText: 'disabled' }).waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('.page-header .badge', { hasText: 'enabled' }).waitFor();
  });

  it('shows the keys, providers and organization pages, and works at phone width', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    await shot('api-keys');
    await page.getByRole('link', { name: 'Providers' }).click();
    // Deepgram's key was stored for the spoken calls above; ElevenLabs has none yet.
    await page.getByLabel('ElevenLabs credential').getByLabel('API key').fill('el-secret-1234');
    await page.getByLabel('ElevenLabs credential').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('credential-elevenlabs').getByText('1234').waitFor();
    assert.equal(await page.locator('body').innerText().then((text) => text.includes('el-secret-1234')), false, 'the key is never shown back');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Name').waitFor();
    await page.getByRole('link', { name: 'Assistants' }).click();
    await page.getByRole('list', { name: 'Assistants' }).waitFor();
    await shot('assistants');

    const frontDesk = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Front desk', exact: true }) });
    await frontDesk.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('heading', { name: 'Front desk (copy)' }).waitFor();
    await page.getByRole('link', { name: 'Assistants' }).click();
    await page.getByLabel('Search assistants').fill('copy');
    const copy = page.getByRole('listitem').filter({ hasText: 'Front desk (copy)' });
    await copy.waitFor();
    assert.equal(await page.getByRole('list', { name: 'Assistants' }).getByRole('listitem').count(), 1, 'search narrows the list');
    await copy.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete assistant' }).click();
    await page.getByText('No assistant matches your search.').waitFor();

    await page.setViewportSize({ width: 390, height: 780 });
    await page.goto(`/sessions/${spokenSessionId}`);
    await page.getByTestId('ended-reason').waitFor();
    await shot('session-phone');
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok((await overflow()) <= 1, `no horizontal scrolling on the session page at phone width (${await overflow()}px)`);
    for (const route of ['/assistants', `/assistants/${assistantId}`, `/assistants/${assistantId}/call`, '/sessions', '/webhooks', '/api-keys', '/provider-credentials', '/settings']) {
      await page.goto(route);
      await page.locator('h1').first().waitFor();
      await page.locator('.state[role="status"]').first().waitFor({ state: 'detached' });
      assert.ok((await overflow()) <= 1, `no horizontal scrolling on ${route} at phone width (${await overflow()}px)`);
    }
  });
});

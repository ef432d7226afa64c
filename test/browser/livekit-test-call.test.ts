// The dashboard's WebRTC test call in headless Chromium against the real LiveKit server: livekit-client in the page
// joins the session's room, publishes Chromium's fake microphone (a speech fixture), plays the agent's track, and
// drives the same transcript, state and latency views as the WebSocket call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake.ts';
import { liveKitTestServer } from '../support/services.ts';
import { waitForSessionEnd } from '../support/stream-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { MICROPHONE_AFTER_GREETING_WAV, noChromium } from './support/browser.ts';
import { closeDashboard, openSignedInDashboard, startDashboardStack, type DashboardStack } from './support/dashboard-stack.ts';

const { service: liveKit, skip: liveKitSkip } = liveKitTestServer();

const GREETING = 'Hello, how can I help?';
const SPOKEN = 'What are your opening hours on Saturday?';
const HOURS_REPLY = 'We are open from nine to five.';
const SERVICES = 'Tell me about your services.';
const LONG_REPLY = Array.from({ length: 6 }, (_, i) => `This is sentence number ${i + 1} of a long answer about our services.`).join(' ');
const DEEPGRAM_KEY = 'dg-test-own-key';

describe('the dashboard\'s WebRTC (LiveKit) test call in Chromium', { skip: noChromium || liveKitSkip }, () => {
  let stack: DashboardStack;
  let deepgram: DeepgramFake;
  let browser: Browser;
  let page: Page;
  let assistantId: string;
  let pageErrors: string[] = [];

  /** The page's "Assistant audio N s": seconds of the agent's track that carried sound. */
  const audibleS = async () => Number.parseFloat((await page.getByTestId('audio-received').innerText()).replace(/[^\d.]/g, ''));
  const waitForAudible = (moreThanS: number) =>
    page.waitForFunction((limit) => Number.parseFloat(document.querySelector('[data-testid="audio-received"]')?.textContent?.replace(/[^\d.]/g, '') ?? '0') > limit, moreThanS, { timeout: 30_000 });

  before(async () => {
    deepgram = await startDeepgramFake({ apiKey: DEEPGRAM_KEY });
    stack = await startDashboardStack({ liveKit });
    await stack.api('PUT', '/v1/provider-credentials/deepgram', { api_key: DEEPGRAM_KEY });
    assistantId = (
      await stack.api<{ id: string }>('POST', '/v1/assistants', {
        name: 'Front desk',
        system_prompt: 'You answer questions about the shop.',
        first_message: GREETING,
        // On a busy machine the greeting may start under the caller's question; it is heard out all the same.
        first_message_interruptible: false,
        model: { provider: 'scripted', script: { rules: [{ pattern: 'opening hours', reply: HOURS_REPLY }, { pattern: 'services', reply: LONG_REPLY }], default_reply: 'Okay.' } },
        transcriber: { provider: 'deepgram', base_url: deepgram.baseUrl.replace(/^ws:/, 'http:') },
        // The looping microphone cuts nothing until the page switches interruptions on, however slow the machine.
        turn: { interruptions_enabled: false },
      })
    ).id;
    // The caller's question comes 6 s into the microphone, after the greeting.
    ({ browser, page, pageErrors } = await openSignedInDashboard(stack, MICROPHONE_AFTER_GREETING_WAV));
  });
  after(() => closeDashboard({ browser, stack, pageErrors }, deepgram));

  it('greets over the agent track, hears the microphone, answers, switches interruptions on over data and hangs up', async () => {
    try {
      await holdCall();
    } catch (error) {
      // What the call showed says more than a locator timeout.
      const shown = await page.locator('.call-main').innerText().catch(() => '(the page is gone)');
      throw new Error(`${(error as Error).message}\nThe call showed:\n${shown}`, { cause: error });
    }
  });

  async function holdCall() {
    deepgram.nextUtterance(SPOKEN);
    await page.goto(`/assistants/${assistantId}/call`);
    await page.getByLabel('Call over').selectOption({ label: 'WebRTC (LiveKit)' });
    await page.getByRole('button', { name: 'Start call' }).click();
    // Generous waits: the machine running the suite is shared, and joining a room is several round trips.
    await page.getByTestId('call-status').getByText('Live').waitFor({ timeout: 45_000 });
    const sessions = await stack.api<{ data: { id: string; transport: string; status: string }[] }>('GET', '/v1/sessions');
    const session = sessions.data[0]!;
    assert.deepEqual([session.transport, session.status], ['livekit', 'active']);

    // The greeting is heard on the agent's track, and its words show in the transcript.
    await page.locator('.bubble.assistant:not(.interim)', { hasText: GREETING }).waitFor({ timeout: 30_000 });
    await waitForAudible(1);
    await page.getByText('Microphone on').waitFor();

    // Chromium's fake microphone speaks the question: transcribed, answered aloud, timed in the latency table.
    await page.locator('.bubble.user', { hasText: SPOKEN }).waitFor({ timeout: 45_000 });
    const heardBeforeReply = await audibleS();
    await page.locator('.bubble.assistant:not(.interim)', { hasText: HOURS_REPLY }).waitFor({ timeout: 30_000 });
    await waitForAudible(heardBeforeReply + 0.5);
    await page.getByTestId('turn-latency').locator('tbody tr').first().waitFor();

    // Switched on over the data topic, interruptions let the looping microphone cut a reply longer than its loop: the
    // microphone's next question is answered at length, and the one after speaks over that answer.
    await page.getByLabel('Interruptions').check();
    deepgram.nextUtterance(SERVICES);
    await page.locator('.bubble.assistant .badge', { hasText: 'interrupted' }).first().waitFor({ timeout: 90_000 });

    await page.getByRole('button', { name: 'End call' }).click();
    await page.getByText('Call ended (customer-ended)').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the session' }).waitFor();
    assert.equal(await page.getByTestId('call-status').innerText(), 'Ended');

    await waitForSessionEnd(stack.db, session.id);
    const ended = await stack.api<{ status: string; ended_reason: string; transport: string }>('GET', `/v1/sessions/${session.id}`);
    assert.deepEqual([ended.status, ended.ended_reason, ended.transport], ['ended', 'customer-ended', 'livekit']);
    type Message = { role: string; text: string; interrupted: boolean };
    const messages = (await stack.api<{ data: Message[] }>('GET', `/v1/sessions/${session.id}/messages`)).data;
    assert.deepEqual(messages.slice(0, 3).map((message) => [message.role, message.text]), [['assistant', GREETING], ['user', SPOKEN], ['assistant', HOURS_REPLY]]);
    const cut = messages.find((message) => message.role === 'assistant' && message.interrupted);
    assert.ok(cut && withoutSpaces(LONG_REPLY).startsWith(withoutSpaces(cut.text)) && cut.text.length < LONG_REPLY.length, `the long reply is stored cut: "${cut?.text}"`);
    const rooms = new RoomServiceClient(liveKit!.url, liveKit!.apiKey, liveKit!.apiSecret);
    await waitFor(async () => (await rooms.listRooms([session.id])).length === 0, 'the agent to delete the room once the session is stored', 10_000);
  }
});

/** The TTS joins the reply's sentences without the space between them. */
const withoutSpaces = (text: string) => text.replace(/\s/g, '');

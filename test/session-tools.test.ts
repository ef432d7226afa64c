import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startOpenAiFake } from './fakes/openai-fake.ts';
import { sessionMessages, useStreamHarness, waitForSessionEnd } from './support/stream-harness.ts';
import { forTheseTests } from './support/for-these-tests.ts';
import { closeServer, listenOnLoopback } from './support/loopback-server.ts';
import { weatherTool } from './support/weather-tool.ts';

describe('tool calls through the OpenAI plugin to a customer server', () => {
  const harness = useStreamHarness({ providerCredentials: { openai: { apiKey: 'sk-test' } } });
  const openai = forTheseTests(
    () =>
      startOpenAiFake((body) => {
        const last = body.messages.at(-1);
        if (last.role === 'tool') return { text: `The weather in Paris is ${JSON.parse(last.content).forecast}.` };
        if (String(last.content).includes('weather')) return { toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } };
        return { text: 'Hello.' };
      }),
    (fake) => fake.close(),
  );
  let customer: http.Server;
  let customerUrl: string;
  const verified: Array<Record<string, any>> = [];

  before(async () => {
    customer = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        // The customer verifies with a stock Standard Webhooks library and the organization's secret.
        const payload = new Webhook(harness.toolSigningSecret).verify(body, req.headers as Record<string, string>) as Record<string, any>;
        verified.push(payload);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ forecast: 'sunny' }));
      } catch {
        res.writeHead(401).end();
      }
    });
    customerUrl = `http://127.0.0.1:${await listenOnLoopback(customer)}/tools`;
  });
  after(async () => {
    await closeServer(customer);
  });

  it('calls the tool with a verifiable signature and speaks the answer built from its result', async () => {
    const { session, client } = await harness.startSession({
      name: 'Weather',
      system_prompt: 'You tell the weather.',
      model: { provider: 'openai', model: 'gpt-4o-mini', base_url: openai.baseUrl },
      voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 260 },
      transcriber: { provider: 'none' },
      tools: [weatherTool(customerUrl)],
    });
    client.sendText('What is the weather like?');
    const call = await client.waitFor('tool.call', { includePast: true });
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.arguments, { city: 'Paris' });
    const result = await client.waitFor('tool.result', { includePast: true });
    assert.deepEqual(result.result, { forecast: 'sunny' });
    assert.equal(result.is_error, false);
    await client.waitFor('transcript', { includePast: true, predicate: (event) => event.role === 'assistant' && event.final && event.text.includes('sunny') });
    assert.equal(verified.length, 1);
    assert.equal(verified[0]!.name, 'get_weather');
    assert.equal(verified[0]!.session_id, session.id);
    assert.deepEqual(openai.chatRequests[0]!.tools.map((tool: any) => tool.function.name), ['get_weather']);

    client.end();
    const row = await waitForSessionEnd(harness.db, session.id);
    assert.ok(row.usage.llm_prompt_tokens >= 84);
    const messages = await sessionMessages(harness.db, session.id);
    const toolCallRow = messages.find((message) => message.tool_calls);
    assert.equal(toolCallRow.tool_calls[0].name, 'get_weather');
    const toolRow = messages.find((message) => message.role === 'tool');
    assert.deepEqual(toolRow.tool_result.output, { forecast: 'sunny' });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A decision about one chat completion request: text to stream, or a tool call to make. */
export type ChatDecision = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

export interface OpenAiFake {
  baseUrl: string;
  /** Every chat completion request body received, in order. */
  chatRequests: Array<Record<string, any>>;
  close(): Promise<void>;
}

/**
 * OpenAI's HTTP API as the LiveKit plugin uses it: `GET /v1/models` (prewarm) and `POST /v1/chat/completions` with
 * `stream: true`, answered as SSE `chat.completion.chunk`s (text deltas or a tool call in fragments), a final usage
 * chunk and `[DONE]`.
 */
export async function startOpenAiFake(decide: (body: Record<string, any>) => ChatDecision): Promise<OpenAiFake> {
  const chatRequests: Array<Record<string, any>> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    if (req.headers.authorization !== 'Bearer sk-test') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad key', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
    chatRequests.push(body);
    const decision = decide(body);
    const id = `chatcmpl-${chatRequests.length}`;
    const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    if ('text' in decision) {
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      for (const piece of decision.text.match(/\S+\s*/g) ?? []) {
        send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      }
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    } else {
      const args = JSON.stringify(decision.toolCall.arguments);
      send({
        ...base,
        choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: `call_${chatRequests.length}`, type: 'function', function: { name: decision.toolCall.name, arguments: '' } }] }, finish_reason: null }],
      });
      for (let i = 0; i < args.length; i += 8) {
        send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 8) } }] }, finish_reason: null }] });
      }
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
    }
    send({ ...base, choices: [], usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49, prompt_tokens_details: { cached_tokens: 0 } } });
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

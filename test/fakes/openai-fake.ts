import http from 'node:http';
import { parseWav } from '../../agent-runtime/audio/wav.ts';
import { sampleFor, strictSchemaError, type StructuredDecision } from './openai-structured-outputs.ts';
import { rms, synthesizeToneSpeech } from './tone-speech.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

export type { StructuredDecision };

/** A decision about one chat completion request: text to stream, or a tool call to make. */
export type ChatDecision = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

export interface OpenAiFakeOptions {
  /** The only key accepted (`Authorization: Bearer …`); `sk-test` by default. The API stores keys of 8 characters or more. */
  apiKey?: string;
  /** Delay before the first streamed token (time to first token). */
  ttftMs?: number;
  /** Delay before an `/audio/speech` response (the plugin reads the whole body, so this is its TTFB). */
  speechDelayMs?: number;
  /**
   * The answer to a structured-output request (`response_format: json_schema`) whose schema strict mode accepts;
   * undefined (or no function) answers with a value sampled from the schema.
   */
  structured?: (body: Record<string, any>) => StructuredDecision | undefined | Promise<StructuredDecision | undefined>;
  /** Delay before answering a structured-output request (a judge model's latency). */
  structuredDelayMs?: number;
}

export interface OpenAiFake {
  baseUrl: string;
  /** The Authorization header of every request received, in order (absent headers as ''). */
  authorizations: string[];
  /** Every chat completion request body received, in order. */
  chatRequests: Array<Record<string, any>>;
  /** Every `/audio/speech` request body. */
  speechRequests: Array<Record<string, any>>;
  /** Every `/audio/transcriptions` request: its form fields and the uploaded audio's duration and loudness. */
  transcriptionRequests: Array<{ fields: Record<string, string>; audioMs: number; rms: number }>;
  /** What the next transcription request says (queued; one per request). */
  nextTranscript(text: string): void;
  /**
   * The next `count` streamed chat completions (all of them by default) are refused with `status` and OpenAI's error
   * body for it: 429 `rate_limit_exceeded`, 5xx `server_error`. Until `recover()`.
   */
  failChat(status: number, count?: number): void;
  /** From now on, each streamed chat completion's connection is cut after `chunks` chunks (a dropped stream). */
  dropChatAfter(chunks: number): void;
  /** Answers normally again. */
  recover(): void;
  close(): Promise<void>;
}

/**
 * OpenAI's HTTP API as the LiveKit plugin uses it: `GET /v1/models` (prewarm); `POST /v1/chat/completions` with
 * `stream: true`, answered as SSE `chat.completion.chunk`s (text deltas or a tool call in fragments), a final usage
 * chunk and `[DONE]`; `POST /v1/audio/speech` (`response_format: pcm`: the whole body is 24 kHz mono s16le, here tone
 * speech); `POST /v1/audio/transcriptions` (multipart with a WAV `file` → `{text}`, the text from the queue the test
 * fills, refused when the upload holds no sound); and structured outputs (`response_format: json_schema`, not
 * streamed: see ./openai-structured-outputs.ts).
 */
export async function startOpenAiFake(decide: (body: Record<string, any>) => ChatDecision, options: OpenAiFakeOptions = {}): Promise<OpenAiFake> {
  const authorizations: string[] = [];
  const chatRequests: Array<Record<string, any>> = [];
  const speechRequests: Array<Record<string, any>> = [];
  const transcriptionRequests: OpenAiFake['transcriptionRequests'] = [];
  const transcripts: string[] = [];
  const faults = { failing: 0, status: 0, dropAfterChunks: Infinity };
  const json = (res: http.ServerResponse, status: number, payload: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  const server = http.createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (req.method === 'GET' && req.url === '/v1/models') {
      json(res, 200, { object: 'list', data: [] });
      return;
    }
    const routes = ['/v1/chat/completions', '/v1/audio/speech', '/v1/audio/transcriptions'];
    if (req.method !== 'POST' || !routes.includes(req.url ?? '')) {
      json(res, 404, { error: { message: 'not found' } });
      return;
    }
    if (req.headers.authorization !== `Bearer ${options.apiKey ?? 'sk-test'}`) {
      json(res, 401, { error: { message: 'bad key', type: 'invalid_request_error' } });
      return;
    }
    if (req.url === '/v1/audio/speech') {
      const body = JSON.parse(raw.toString('utf8')) as Record<string, any>;
      speechRequests.push(body);
      if (body.response_format !== 'pcm') {
        json(res, 400, { error: { message: 'this fake only returns pcm', type: 'invalid_request_error', param: 'response_format' } });
        return;
      }
      if (options.speechDelayMs) await delay(options.speechDelayMs);
      const speech = synthesizeToneSpeech(String(body.input ?? ''), 24000);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(speech.samples.buffer, speech.samples.byteOffset, speech.samples.byteLength));
      return;
    }
    if (req.url === '/v1/audio/transcriptions') {
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) {
        json(res, 400, { error: { message: 'file is required', type: 'invalid_request_error', param: 'file' } });
        return;
      }
      const audio = parseWav(new Uint8Array(await file.arrayBuffer()));
      const fields: Record<string, string> = {};
      for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value;
      const loudness = rms(audio.samples);
      transcriptionRequests.push({ fields, audioMs: (audio.samples.length / audio.sampleRateHz) * 1000, rms: loudness });
      json(res, 200, { text: loudness > 0.005 ? (transcripts.shift() ?? '') : '' });
      return;
    }
    const body = JSON.parse(raw.toString('utf8')) as Record<string, any>;
    chatRequests.push(body);
    if (body.response_format?.type === 'json_schema') {
      await answerStructured(res, body, options);
      return;
    }
    if (faults.failing > 0) {
      faults.failing--;
      json(res, faults.status, chatError(faults.status));
      return;
    }
    const decision = decide(body);
    const id = `chatcmpl-${chatRequests.length}`;
    const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (options.ttftMs) await delay(options.ttftMs);
    let chunksLeft = faults.dropAfterChunks;
    const send = (payload: unknown) => {
      if (chunksLeft-- <= 0) return void res.socket?.destroy();
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
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
    if (!res.destroyed) res.end('data: [DONE]\n\n');
  });
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    authorizations,
    chatRequests,
    speechRequests,
    transcriptionRequests,
    nextTranscript: (text) => void transcripts.push(text),
    failChat: (status, count = Infinity) => Object.assign(faults, { failing: count, status }),
    dropChatAfter: (chunks) => void (faults.dropAfterChunks = chunks),
    recover: () => Object.assign(faults, { failing: 0, dropAfterChunks: Infinity }),
    close: async () => {
      await closeServer(server);
    },
  };
}

/** OpenAI's error body for a refused request: a 429 is a rate limit, anything else a server error. */
function chatError(status: number) {
  if (status === 429) return { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  return { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } };
}

/** A non-streamed chat completion under structured outputs: the API's 400 for a schema strict mode refuses, else the test's answer or a sample. */
async function answerStructured(res: http.ServerResponse, body: Record<string, any>, options: OpenAiFakeOptions): Promise<void> {
  const json = (status: number, payload: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  const format = body.response_format.json_schema ?? {};
  const invalid = format.strict === true ? strictSchemaError(String(format.name), format.schema ?? {}) : undefined;
  if (invalid) return json(400, { error: { message: invalid, type: 'invalid_request_error', param: 'response_format', code: null } });
  if (options.structuredDelayMs) await delay(options.structuredDelayMs);
  const decision = (await options.structured?.(body)) ?? { json: sampleFor(format.schema ?? {}) };
  if ('error' in decision) {
    const type = decision.error.status >= 500 ? 'server_error' : 'invalid_request_error';
    return json(decision.error.status, { error: { message: decision.error.message, type, param: null, code: null } });
  }
  const content = 'json' in decision ? JSON.stringify(decision.json) : decision.content;
  json(200, {
    id: `chatcmpl-structured-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

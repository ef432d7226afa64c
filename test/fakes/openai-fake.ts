import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWav } from '../../agent-runtime/audio/wav.ts';
import { rms, synthesizeToneSpeech } from './tone-speech.ts';

/** A decision about one chat completion request: text to stream, or a tool call to make. */
export type ChatDecision = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

export interface OpenAiFakeOptions {
  /** The key requests must carry (`Bearer …`). */
  apiKey?: string;
  /** Delay before the first streamed token (time to first token). */
  ttftMs?: number;
  /** Delay before an `/audio/speech` response (the plugin reads the whole body, so this is its TTFB). */
  speechDelayMs?: number;
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
  close(): Promise<void>;
}

/**
 * OpenAI's HTTP API as the LiveKit plugin uses it: `GET /v1/models` (prewarm); `POST /v1/chat/completions` with
 * `stream: true`, answered as SSE `chat.completion.chunk`s (text deltas or a tool call in fragments), a final usage
 * chunk and `[DONE]`; `POST /v1/audio/speech` (`response_format: pcm`: the whole body is 24 kHz mono s16le, here tone
 * speech); `POST /v1/audio/transcriptions` (multipart with a WAV `file` → `{text}`, the text from the queue the test
 * fills, refused when the upload holds no sound).
 */
export async function startOpenAiFake(decide: (body: Record<string, any>) => ChatDecision, options: OpenAiFakeOptions = {}): Promise<OpenAiFake> {
  const authorizations: string[] = [];
  const chatRequests: Array<Record<string, any>> = [];
  const speechRequests: Array<Record<string, any>> = [];
  const transcriptionRequests: OpenAiFake['transcriptionRequests'] = [];
  const transcripts: string[] = [];
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
    const decision = decide(body);
    const id = `chatcmpl-${chatRequests.length}`;
    const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (options.ttftMs) await delay(options.ttftMs);
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
    authorizations,
    chatRequests,
    speechRequests,
    transcriptionRequests,
    nextTranscript: (text) => void transcripts.push(text),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

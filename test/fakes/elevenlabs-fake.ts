import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { synthesizeToneSpeech } from './tone-speech.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

export interface ElevenLabsFakeOptions {
  apiKey?: string;
  /** Delay before a context's first audio (time to first byte). */
  ttfbMs?: number;
  /** Audio per `audio` message. */
  chunkMs?: number;
  /** The account's voices, as `GET /v2/voices` lists them (ElevenLabs' JSON, snake_case). */
  voices?: ElevenLabsVoice[];
}

interface ElevenLabsVoice {
  voice_id: string;
  name: string;
  category?: string;
  description?: string | null;
  labels?: Record<string, string>;
  preview_url?: string | null;
}

interface ElevenLabsContext {
  id: string;
  voiceSettings: unknown;
  /** Flushed text, one entry per flush. */
  flushed: string[];
  closedByClient: boolean;
  audioMs: number;
}

export interface ElevenLabsFake {
  /** Give the plugin this as `baseURL` (it includes /v1, like the real default). */
  baseUrl: string;
  connections: Array<{ path: string; query: URLSearchParams }>;
  contexts: ElevenLabsContext[];
  /**
   * An outage from now on: open streams are cut (the connection dropped, as a network failure or a crashed server
   * does) and new connections are refused with HTTP 503, until `recover()`.
   */
  fail(): void;
  /** The same outage, starting partway through speech: after `audioMessages` more audio messages are sent. */
  failAfter(audioMessages: number): void;
  recover(): void;
  close(): Promise<void>;
}

interface ContextState extends ElevenLabsContext {
  buffer: string;
  /** Generation of this context's flushed text, in order; isFinal goes out after the last of it. */
  chain: Promise<void>;
  started: boolean;
}

/**
 * ElevenLabs' multi-context streaming WebSocket (`/v1/text-to-speech/{voice}/multi-stream-input`) as the LiveKit
 * plugin uses it: `xi-api-key`, contexts opened by `{text: " ", voice_settings, context_id}`, text generated on
 * `flush`, `close_context` ends a context (audio already committed by a flush is delivered, then `isFinal`; text not
 * flushed is dropped). Audio is base64 raw PCM at the `output_format` rate (tone speech), with character alignment
 * counted from the start of the context.
 */
export async function startElevenLabsFake(options: ElevenLabsFakeOptions = {}): Promise<ElevenLabsFake> {
  const apiKey = options.apiKey ?? 'el-test';
  const ttfbMs = options.ttfbMs ?? 50;
  const chunkMs = options.chunkMs ?? 200;
  const connections: ElevenLabsFake['connections'] = [];
  const contexts: ElevenLabsContext[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/v2/voices') return listVoices(req, res, url, apiKey, options.voices ?? []);
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });

  let down = false;
  let audioMessagesBeforeOutage = Infinity;
  const fail = () => {
    down = true;
    for (const client of wss.clients) client.terminate();
  };
  server.on('upgrade', (req, socket, head) => {
    if (down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v1\/text-to-speech\/([^/]+)\/multi-stream-input$/.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (req.headers['xi-api-key'] !== apiKey) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.push({ path: url.pathname, query: url.searchParams });
      serve(ws, url.searchParams);
    });
  });

  function serve(ws: WebSocket, query: URLSearchParams): void {
    const format = /^pcm_(\d+)$/.exec(query.get('output_format') ?? 'pcm_22050');
    if (!format) {
      ws.send(JSON.stringify({ error: 'invalid_output_format', message: 'this fake only speaks pcm_* formats' }));
      ws.close(1008);
      return;
    }
    const sampleRateHz = Number(format[1]);
    const live = new Map<string, ContextState>();
    const send = (payload: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
    };

    const generate = async (context: ContextState, text: string, receivedAt: number) => {
      const speech = synthesizeToneSpeech(text, sampleRateHz);
      if (!context.started) {
        context.started = true;
        // The first byte leaves ttfbMs after the text arrived, however long synthesizing it took here.
        await delay(ttfbMs - (performance.now() - receivedAt));
      }
      const chunkSamples = Math.round((sampleRateHz * chunkMs) / 1000);
      for (let offset = 0; offset < speech.samples.length; offset += chunkSamples) {
        if (ws.readyState !== ws.OPEN) return;
        const chunk = speech.samples.subarray(offset, offset + chunkSamples);
        const chunkStartMs = (offset / sampleRateHz) * 1000;
        const chunkEndMs = chunkStartMs + (chunk.length / sampleRateHz) * 1000;
        // Characters that start inside this chunk, timed from the start of the context's audio.
        const indexes = speech.chars.map((_, i) => i).filter((i) => speech.charStartTimesMs[i]! >= chunkStartMs && speech.charStartTimesMs[i]! < chunkEndMs);
        const alignment = {
          chars: indexes.map((i) => speech.chars[i]!),
          charStartTimesMs: indexes.map((i) => Math.round(context.audioMs + speech.charStartTimesMs[i]!)),
          charDurationsMs: indexes.map((i) => Math.round(speech.charDurationsMs[i]!)),
        };
        send({
          audio: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'),
          alignment,
          normalizedAlignment: alignment,
          isFinal: null,
          contextId: context.id,
        });
        if (--audioMessagesBeforeOutage === 0) fail();
        // Faster than real time, like the service, but not all at once.
        await delay(5);
      }
      context.audioMs += (speech.samples.length / sampleRateHz) * 1000;
    };

    ws.on('message', (data) => {
      const receivedAt = performance.now();
      let message: { text?: string; context_id?: string; flush?: boolean; close_context?: boolean; voice_settings?: unknown; close_socket?: boolean };
      try {
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        send({ error: 'invalid_message', message: 'not JSON' });
        return;
      }
      if (message.close_socket) {
        ws.close(1000);
        return;
      }
      const id = message.context_id ?? 'default';
      let context = live.get(id);
      if (message.close_context) {
        if (!context) return;
        context.closedByClient = true;
        context.buffer = '';
        live.delete(id);
        const closing = context;
        context.chain = context.chain.then(() => send({ isFinal: true, contextId: closing.id }));
        return;
      }
      if (typeof message.text !== 'string') {
        send({ error: 'invalid_message', message: 'text is required', contextId: id });
        return;
      }
      if (!context) {
        if (live.size >= 5) {
          ws.close(1008, 'max_active_conversations');
          return;
        }
        context = { id, voiceSettings: message.voice_settings, flushed: [], closedByClient: false, audioMs: 0, buffer: '', chain: Promise.resolve(), started: false };
        live.set(id, context);
        contexts.push(context);
      }
      context.buffer += message.text;
      if (message.flush) {
        const text = context.buffer.trim();
        context.buffer = '';
        if (text) {
          context.flushed.push(text);
          const target = context;
          context.chain = context.chain.then(() => generate(target, text, receivedAt));
        }
      }
    });
    ws.on('error', () => {});
  }

  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    connections,
    contexts,
    fail,
    failAfter: (audioMessages) => void (audioMessagesBeforeOutage = audioMessages),
    recover: () => {
      down = false;
      audioMessagesBeforeOutage = Infinity;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}

/**
 * `GET /v2/voices` as ElevenLabs answers it: `xi-api-key` or a 401 `{detail: {status, message}}`; `search` matches
 * names case-insensitively; `page_size` (at most 100) and `next_page_token` page through the list.
 */
function listVoices(req: http.IncomingMessage, res: http.ServerResponse, url: URL, apiKey: string, voices: ElevenLabsVoice[]): void {
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers['xi-api-key'] !== apiKey) {
    json(401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    return;
  }
  const search = url.searchParams.get('search')?.toLowerCase();
  const matching = search ? voices.filter((voice) => voice.name.toLowerCase().includes(search)) : voices;
  const pageSize = Math.min(Number(url.searchParams.get('page_size') ?? 10), 100);
  const start = Number(url.searchParams.get('next_page_token') ?? 0);
  const page = matching.slice(start, start + pageSize);
  const hasMore = start + pageSize < matching.length;
  json(200, { voices: page, has_more: hasMore, total_count: matching.length, next_page_token: hasMore ? String(start + pageSize) : null });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

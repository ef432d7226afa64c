import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { rms } from './tone-speech.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

export interface DeepgramFakeOptions {
  apiKey?: string;
  /** Audio RMS (0..1) above which a 20 ms window counts as speech. */
  speechRms?: number;
  /** Silence (in audio time) that ends an utterance, like Deepgram's `endpointing`. */
  endpointingMs?: number;
  /** An interim result is sent every this much of speech. */
  interimEveryMs?: number;
  /** Said when no utterance was queued with `nextUtterance`. */
  defaultTranscript?: string;
  /**
   * A recogniser for the final transcript: given an utterance's audio (the windows from its first speech to its end),
   * the text it says, or undefined to keep the queued one. Interim results still come from the queue.
   */
  recognize?: (audio: Int16Array, sampleRateHz: number) => string | undefined;
}

interface DeepgramConnection {
  query: URLSearchParams;
  authorization: string | undefined;
  /** Control messages received (`KeepAlive`, `Finalize`, `CloseStream`). */
  controls: string[];
  audioBytes: number;
}

export interface DeepgramFake {
  /** Origin to give the plugin as `baseUrl` (it appends `/v1/listen`). */
  baseUrl: string;
  connections: DeepgramConnection[];
  /** Every transcript sent as a final result, in order. */
  finals: string[];
  /** What the next detected utterance says (queued; one per utterance). */
  nextUtterance(text: string): void;
  /**
   * An outage from now on: open streams are cut (the connection dropped, as a network failure or a crashed server
   * does) and new connections are refused with HTTP 503, until `recover()`.
   */
  fail(): void;
  recover(): void;
  close(): Promise<void>;
}

const WINDOW_MS = 20;

/**
 * Deepgram's live transcription WebSocket (`/v1/listen`) as the LiveKit plugin uses it: `Authorization: Token`,
 * binary linear16 at the `sample_rate` of the query, JSON control messages. There is no recogniser: speech is found
 * by energy (RMS per 20 ms window) and its words come from the queue the test fills — the fake knows *when* someone
 * speaks from the audio, and is told *what* they said.
 */
export async function startDeepgramFake(options: DeepgramFakeOptions = {}): Promise<DeepgramFake> {
  const apiKey = options.apiKey ?? 'dg-test';
  const speechRms = options.speechRms ?? 0.01;
  const endpointingMs = options.endpointingMs ?? 300;
  const interimEveryMs = options.interimEveryMs ?? 400;
  const queued: string[] = [];
  const connections: DeepgramConnection[] = [];
  const finals: string[] = [];

  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  let down = false;
  server.on('upgrade', (req, socket, head) => {
    if (down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/listen') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (req.headers.authorization !== `Token ${apiKey}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: DeepgramConnection = { query: url.searchParams, authorization: req.headers.authorization, controls: [], audioBytes: 0 };
      connections.push(connection);
      serve(ws, connection);
    });
  });

  function serve(ws: WebSocket, connection: DeepgramConnection): void {
    const sampleRateHz = Number(connection.query.get('sample_rate') ?? 16000);
    const windowSamples = (sampleRateHz * WINDOW_MS) / 1000;
    const requestId = randomUUID();
    let pending = new Int16Array(0);
    /** Audio time received so far, in ms: Deepgram's clock is the audio, not the wall. */
    let audioMs = 0;
    let utterance: { text: string; startMs: number; lastSpeechMs: number; interimsSent: number; audio: Int16Array[] } | undefined;

    const send = (payload: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
    };
    const words = (text: string, startMs: number, endMs: number) => {
      const list = text.split(/\s+/).filter(Boolean);
      const step = (endMs - startMs) / Math.max(1, list.length);
      return list.map((word, index) => ({
        word: word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
        punctuated_word: word,
        start: (startMs + index * step) / 1000,
        end: (startMs + (index + 1) * step) / 1000,
        confidence: 0.98,
      }));
    };
    const results = (text: string, startMs: number, endMs: number, flags: { isFinal: boolean; speechFinal: boolean; fromFinalize?: boolean }) => {
      send({
        type: 'Results',
        channel_index: [0, 1],
        duration: (endMs - startMs) / 1000,
        start: startMs / 1000,
        is_final: flags.isFinal,
        speech_final: flags.speechFinal,
        from_finalize: flags.fromFinalize ?? false,
        channel: { alternatives: [{ transcript: text, confidence: text ? 0.98 : 0, words: text ? words(text, startMs, endMs) : [] }] },
        metadata: { request_id: requestId, model_info: { name: connection.query.get('model') ?? 'nova-3', version: 'fake', arch: 'fake' }, model_uuid: randomUUID() },
      });
    };
    const finishUtterance = (fromFinalize: boolean) => {
      if (!utterance) {
        if (fromFinalize) results('', audioMs, audioMs, { isFinal: true, speechFinal: false, fromFinalize });
        return;
      }
      const { startMs, lastSpeechMs } = utterance;
      const text = (options.recognize && recognized(utterance.audio)) ?? utterance.text;
      utterance = undefined;
      finals.push(text);
      results(text, startMs, lastSpeechMs, { isFinal: true, speechFinal: true, fromFinalize });
      send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: lastSpeechMs / 1000 });
    };
    const recognized = (windows: Int16Array[]) => {
      const audio = new Int16Array(windows.reduce((sum, window) => sum + window.length, 0));
      windows.reduce((offset, window) => (audio.set(window, offset), offset + window.length), 0);
      return options.recognize!(audio, sampleRateHz);
    };
    const onWindow = (window: Int16Array) => {
      audioMs += WINDOW_MS;
      const speaking = rms(window) > speechRms;
      if (speaking && !utterance) {
        utterance = { text: queued.shift() ?? options.defaultTranscript ?? 'hello', startMs: audioMs - WINDOW_MS, lastSpeechMs: audioMs, interimsSent: 0, audio: [window] };
        send({ type: 'SpeechStarted', channel: [0, 1], timestamp: utterance.startMs / 1000 });
        return;
      }
      if (!utterance) return;
      if (options.recognize) utterance.audio.push(window);
      if (speaking) utterance.lastSpeechMs = audioMs;
      const spokenMs = utterance.lastSpeechMs - utterance.startMs;
      if (speaking && spokenMs >= (utterance.interimsSent + 1) * interimEveryMs) {
        // Interim hypotheses grow word by word with the speech heard so far (a guess: the final is the table's text).
        utterance.interimsSent++;
        const all = utterance.text.split(/\s+/);
        const heard = all.slice(0, Math.max(1, Math.min(all.length - 1, utterance.interimsSent))).join(' ');
        results(heard, utterance.startMs, audioMs, { isFinal: false, speechFinal: false });
      }
      if (audioMs - utterance.lastSpeechMs >= endpointingMs) finishUtterance(false);
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
        connection.audioBytes += bytes.byteLength;
        const incoming = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength - (bytes.byteLength % 2)));
        const joined = new Int16Array(pending.length + incoming.length);
        joined.set(pending);
        joined.set(incoming, pending.length);
        let offset = 0;
        for (; offset + windowSamples <= joined.length; offset += windowSamples) onWindow(joined.subarray(offset, offset + windowSamples));
        pending = joined.slice(offset);
        return;
      }
      let message: { type?: string };
      try {
        message = JSON.parse(data.toString()) as { type?: string };
      } catch {
        ws.close(1008, 'invalid JSON');
        return;
      }
      connection.controls.push(String(message.type));
      if (message.type === 'Finalize') finishUtterance(true);
      else if (message.type === 'CloseStream') {
        finishUtterance(false);
        send({ type: 'Metadata', request_id: requestId, duration: audioMs / 1000, channels: 1 });
        ws.close(1000);
      }
    });
    ws.on('error', () => {});
  }

  const port = await listenOnLoopback(server);
  return {
    baseUrl: `ws://127.0.0.1:${port}`,
    connections,
    finals,
    nextUtterance: (text) => void queued.push(text),
    fail: () => {
      down = true;
      for (const client of wss.clients) client.terminate();
    },
    recover: () => {
      down = false;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}

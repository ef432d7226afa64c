/**
 * A small typed client for EchoSphere's WebSocket session protocol (docs/websocket-protocol.md). Works in browsers
 * (global WebSocket) and in Node (pass the `ws` package's WebSocket as `WebSocketImpl`).
 */
import type { ClientMessage, ServerEvent } from './protocol.ts';

export type { ClientMessage, ServerEvent } from './protocol.ts';
export type ServerEventType = ServerEvent['type'];
export type EventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;

interface MinimalWebSocket {
  binaryType: string;
  readyState: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

export interface SessionClientOptions {
  /** ws(s)://host — the API's origin as a WebSocket URL. */
  baseUrl: string;
  sessionId: string;
  token: string;
  WebSocketImpl?: new (url: string) => MinimalWebSocket;
}

export class SessionClient {
  private readonly socket: MinimalWebSocket;
  private readonly listeners = new Map<string, Set<(event: any) => void>>();
  private readonly eventListeners = new Set<(event: ServerEvent) => void>();
  private readonly audioListeners = new Set<(audio: Uint8Array) => void>();
  /** Every event received so far, in order (handy for tests and debugging). */
  readonly events: ServerEvent[] = [];
  /** Total assistant audio bytes received. */
  audioBytes = 0;
  readonly opened: Promise<void>;
  /** Resolves with the close code and reason when the connection ends. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private closedWith: { code: number; reason: string } | undefined;
  /** Pending waitFor calls to fail on close; each leaves the set when it settles, so none piles up in a long call. */
  private readonly closeListeners = new Set<(close: { code: number; reason: string }) => void>();

  constructor(options: SessionClientOptions) {
    const Impl = options.WebSocketImpl ?? (globalThis as unknown as { WebSocket: new (url: string) => MinimalWebSocket }).WebSocket;
    const url = `${options.baseUrl.replace(/\/$/, '')}/v1/sessions/${encodeURIComponent(options.sessionId)}/stream?token=${encodeURIComponent(options.token)}`;
    this.socket = new Impl(url);
    this.socket.binaryType = 'arraybuffer';
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve());
      this.socket.addEventListener('error', (event) => reject(new Error(String(event?.message ?? 'WebSocket error'))));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => {
        this.closedWith = { code: event.code, reason: String(event.reason ?? '') };
        for (const listener of this.closeListeners) listener(this.closedWith);
        resolve(this.closedWith);
      });
    });
    this.socket.addEventListener('message', (message) => this.onMessage(message.data));
  }

  on<T extends ServerEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Every event, whatever its type, in order. */
  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onAudio(listener: (audio: Uint8Array) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  /**
   * The next event of a type (or one already received matching `predicate`, when `includePast`). Rejects when the
   * connection closes first, with its close code and reason, or after `timeoutMs`.
   */
  waitFor<T extends ServerEventType>(type: T, options: { timeoutMs?: number; predicate?: (event: EventOf<T>) => boolean; includePast?: boolean } = {}): Promise<EventOf<T>> {
    const predicate = options.predicate ?? (() => true);
    if (options.includePast) {
      const past = this.events.find((event): event is EventOf<T> => event.type === type && predicate(event as EventOf<T>));
      if (past) return Promise.resolve(past);
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        off();
        this.closeListeners.delete(onClose);
        outcome();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`Timed out waiting for ${type}`))), options.timeoutMs ?? 15_000);
      const off = this.on(type, (event) => {
        if (predicate(event)) settle(() => resolve(event));
      });
      // Events arrive before the close, so a connection that closes first will never bring this one.
      const onClose = ({ code, reason }: { code: number; reason: string }) =>
        settle(() => reject(new Error(`The connection closed (${code}${reason ? ` ${reason}` : ''}) before ${type}`)));
      if (this.closedWith) onClose(this.closedWith);
      else this.closeListeners.add(onClose);
    });
  }

  sendAudio(frame: Uint8Array): void {
    this.socket.send(frame);
  }

  sendText(text: string): void {
    this.send({ type: 'user.text', text });
  }

  say(text: string, interruptible = true): void {
    this.send({ type: 'assistant.say', text, interruptible });
  }

  setInterruptions(enabled: boolean): void {
    this.send({ type: 'interruptions.set', enabled });
  }

  ping(id?: string): void {
    this.send({ type: 'ping', ...(id ? { id } : {}) });
  }

  end(): void {
    this.send({ type: 'session.end' });
  }

  /** Sends any JSON (also malformed on purpose, in tests). */
  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  close(code = 1000): void {
    this.socket.close(code);
  }

  private send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  private onMessage(data: unknown): void {
    if (typeof data === 'string') {
      const event = JSON.parse(data) as ServerEvent;
      this.events.push(event);
      for (const listener of this.listeners.get(event.type) ?? []) listener(event);
      for (const listener of this.eventListeners) listener(event);
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data as ArrayBufferLike);
    this.audioBytes += bytes.byteLength;
    for (const listener of this.audioListeners) listener(bytes);
  }
}

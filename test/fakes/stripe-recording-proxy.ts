import http from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

/**
 * A pass-through in front of stripe-mock (Stripe's own API mock, which is stateless: it answers fixtures and keeps
 * nothing). It records every request the `stripe` SDK makes — method, path, form fields, idempotency key — and, when
 * told, fails requests to a path with Stripe's 500 error shape or holds them unanswered (a worker killed mid-call).
 */
interface RecordedStripeRequest {
  method: string;
  path: string;
  /** The form-encoded body as key → value (`payload[value]` stays a flat key). */
  form: Record<string, string>;
  idempotencyKey: string | undefined;
  /** What the proxy did with it. */
  outcome: 'forwarded' | 'failed' | 'held';
}

export interface StripeRecordingProxy {
  url: string;
  requests: RecordedStripeRequest[];
  /** The next `count` requests to `path` get a 500 `api_error`. */
  failNext(path: string, count: number): void;
  /** Requests to `path` are held (never answered, never forwarded) until `release`. */
  hold(path: string): void;
  release(path: string): void;
  close(): Promise<void>;
}

export async function startStripeRecordingProxy(target: URL): Promise<StripeRecordingProxy> {
  const requests: RecordedStripeRequest[] = [];
  const failures = new Map<string, number>();
  const held = new Set<string>();
  const heldResponses: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const record: RecordedStripeRequest = {
      method: req.method ?? 'GET',
      path,
      form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      outcome: 'forwarded',
    };
    requests.push(record);
    if (held.has(path)) {
      record.outcome = 'held';
      heldResponses.push(res);
      return;
    }
    const failing = failures.get(path) ?? 0;
    if (failing > 0) {
      failures.set(path, failing - 1);
      record.outcome = 'failed';
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'api_error', message: 'Injected failure' } }));
      return;
    }
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end(body);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (path, count) => failures.set(path, count),
    hold: (path) => held.add(path),
    release: (path) => held.delete(path),
    async close() {
      for (const res of heldResponses) res.destroy();
      await closeServer(server);
    },
  };
}

import http from 'node:http';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers one request: a status (and headers), or never (the request hangs until close). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A local webhook receiver. `reply` decides each answer from the request and how many came before it on that path;
 * every request is recorded before it is answered.
 */
export async function startReceiver(reply: (request: ReceivedWebhook, countOnPath: number) => Reply = () => ({ status: 200 })) {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const countOnPath = received.filter((earlier) => earlier.path === request.path).length;
      received.push(request);
      const answer = reply(request, countOnPath);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listenOnLoopback(server);
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path: string) => received.filter((request) => request.path === path),
    hangingCount: () => [...hanging].filter((res) => !res.destroyed && !res.writableEnded).length,
    close: async () => {
      await closeServer(server);
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

import http from 'node:http';

/**
 * An ordinary Node client in its own process, uploading a body in chunks with a pause between them, the way a phone on
 * a slow link would. It runs apart from the server under test on purpose: in one process, client and server take
 * turns on one event loop, and the race between a server closing early and a client still writing never happens.
 *
 * Usage: node --import tsx slow-upload-client.ts '<json of SlowUpload[]>' → prints a JSON array of UploadOutcome.
 */

export interface SlowUpload {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodyBytes: number;
  chunkBytes: number;
  pauseMs: number;
  /** Sends `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked?: boolean;
  /** A kept-alive connection, or one the client asks to close (`Connection: close`). */
  keepAlive: boolean;
}

export interface UploadOutcome {
  /** Undefined when no complete response was read before the exchange ended. */
  response?: { status: number; headers: http.IncomingHttpHeaders; text: string };
  /** Error codes (ECONNRESET, EPIPE, …) the request or its response saw. */
  errors: string[];
}

export function upload(spec: SlowUpload): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const outcome: UploadOutcome = { errors: [] };
    const noteError = (error: NodeJS.ErrnoException) => outcome.errors.push(error.code ?? error.message);
    const headers: http.OutgoingHttpHeaders = { ...spec.headers };
    if (!spec.chunked) headers['content-length'] = spec.bodyBytes;
    const agent = new http.Agent({ keepAlive: spec.keepAlive });
    const req = http.request(spec.url, { method: spec.method, headers, agent });
    req.on('error', noteError);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', noteError);
      res.on('end', () => (outcome.response = { status: res.statusCode!, headers: res.headers, text }));
    });
    // Emitted once the exchange is over either way: after the response, or when the connection failed.
    req.on('close', () => {
      agent.destroy();
      resolve(outcome);
    });
    let sent = 0;
    const writeNext = () => {
      if (req.destroyed) return;
      const chunk = Buffer.alloc(Math.min(spec.chunkBytes, spec.bodyBytes - sent), 'a');
      sent += chunk.length;
      // The last chunk goes with end(): once the server has the declared length it may answer and the client close.
      if (sent < spec.bodyBytes) {
        req.write(chunk);
        setTimeout(writeNext, spec.pauseMs);
      } else req.end(chunk);
    };
    writeNext();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcomes: UploadOutcome[] = [];
  for (const spec of JSON.parse(process.argv[2]!) as SlowUpload[]) outcomes.push(await upload(spec));
  process.stdout.write(JSON.stringify(outcomes));
}

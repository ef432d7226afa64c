import type { NextFunction, Request, Response } from 'express';

/**
 * A response sent while the client is still sending its body (401 for a bad key, 413, 415, 404) must reach the
 * client. Node closes the connection after a response the client asked to be the last (`Connection: close`,
 * HTTP/1.0); body bytes still arriving at a closed socket are answered with a TCP reset, and a client still writing
 * reports ECONNRESET or EPIPE instead of the response it was sent. So a response waits until the rest of the body has
 * arrived, read and discarded, before it goes out.
 *
 * Draining is bounded by `maxBytes`: a body declared or found larger is not read further, and the response goes out
 * at once with `Connection: close` (a client still sending may then see the reset). How long a slow body may take is
 * bounded by the HTTP server's request timeout.
 */
export function replyAfterRequestBody(maxBytes: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req)) return next();
    const end = res.end;
    res.end = function endAfterBody(this: Response, ...args: unknown[]) {
      res.end = end;
      const send = () => (end as (...params: unknown[]) => Response).apply(this, args);
      if (req.complete) return send();
      void discardBody(req, maxBytes).then((drained) => {
        if (!drained && !res.headersSent) res.setHeader('Connection', 'close');
        send();
      });
      return this;
    } as Response['end'];
    next();
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
}

/** Reads the rest of the body into nothing; false when it is over `maxBytes` or the client went away first. */
function discardBody(req: Request, maxBytes: number): Promise<boolean> {
  if (Number(req.headers['content-length']) > maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const settle = (drained: boolean) => {
      req.off('data', count).off('end', ended).off('close', abandoned).off('error', abandoned);
      resolve(drained);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) return;
      req.pause();
      settle(false);
    };
    const ended = () => settle(true);
    const abandoned = () => settle(false);
    req.on('data', count).once('end', ended).once('close', abandoned).once('error', abandoned);
    req.resume();
  });
}

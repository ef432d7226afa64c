import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface AuthContext {
  orgId: string;
  keyId: string;
  keyType: 'secret' | 'public';
  allowedAssistantIds: string[] | null;
  allowedOrigins: string[] | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      auth?: AuthContext;
    }
  }
}

const REQUEST_ID_SHAPE = /^[A-Za-z0-9._-]{1,128}$/;

/** Every request gets an id (the caller's X-Request-Id when it is sane), echoed back and carried by every log line. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header('x-request-id');
  req.id = incoming && REQUEST_ID_SHAPE.test(incoming) ? incoming : `req_${randomUUID().replaceAll('-', '')}`;
  res.setHeader('X-Request-Id', req.id);
  next();
}

/** The authenticated organization; only reachable behind `authenticate`. */
export function authOf(req: Request): AuthContext {
  if (!req.auth) throw new Error('Route mounted without authentication');
  return req.auth;
}

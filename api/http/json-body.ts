import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PlatformError } from '../../core/errors.ts';

export const bodyTooLarge = () =>
  new PlatformError('invalid_request', 'body_too_large', 'The request body is larger than this API accepts.', undefined, 413);

/**
 * JSON bodies up to `limitBytes`. A Content-Length over the limit is refused before a byte is read: body-parser would
 * read all of the declared body first, however large, before answering 413.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const refuseDeclaredOversize = (req: Request, _res: Response, next: NextFunction): void => {
    if (Number(req.headers['content-length']) > limitBytes) throw bodyTooLarge();
    next();
  };
  return [refuseDeclaredOversize, express.json({ limit: limitBytes, strict: true })];
}

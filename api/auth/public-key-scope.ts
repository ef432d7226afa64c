import type { NextFunction, Request, Response } from 'express';
import { PlatformError } from '../../core/errors.ts';
import type { AuthContext } from '../http/request-context.ts';

/** A public key's `allowed_origins` admit this request's Origin (`*` admits any, and none). */
export function originAllowed(auth: AuthContext, origin: string | undefined): boolean {
  if (auth.allowedOrigins?.includes('*')) return true;
  return origin !== undefined && (auth.allowedOrigins?.includes(origin) ?? false);
}

/**
 * Public keys may do one thing, create sessions, and only from their allowed origins (the session route checks the
 * assistant grant, which needs the body).
 */
export function publicKeyScope(req: Request, _res: Response, next: NextFunction): void {
  const auth = req.auth;
  if (auth?.keyType === 'public') {
    if (!originAllowed(auth, req.header('origin'))) {
      throw new PlatformError('permission', 'origin_not_allowed', 'This public key may not be used from this origin; add it to the key\'s allowed_origins.');
    }
    if (!(req.method === 'POST' && req.path === '/sessions')) {
      throw new PlatformError('permission', 'public_key_not_allowed', 'Public keys may only create sessions; use a secret key.');
    }
  }
  next();
}

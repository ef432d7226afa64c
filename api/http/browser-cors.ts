import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { originAllowed } from '../auth/public-key-scope.ts';

/** Response headers a browser app may read besides the safelisted ones: the request id and the rate-limit fields. */
const EXPOSED_HEADERS = ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'];

/**
 * CORS for /v1. Browsers may call one operation, `POST /v1/sessions`, with a public key. A preflight carries no key,
 * so it cannot know the key's origins: it lets any origin send that request, and the request's own response carries
 * CORS allowance only when its public key allows its Origin. A secret key gets none from any origin, and an origin a
 * public key does not allow gets a 403 (publicKeyScope) that the page cannot read.
 */

/** Every /v1 answer depends on the Origin, including those without allowance: caches must keep them apart. */
export function varyOnOrigin(_req: Request, res: Response, next: NextFunction): void {
  res.vary('Origin');
  next();
}

/** The preflight of `POST /v1/sessions`. */
export const sessionsPreflight = cors({
  origin: true,
  methods: ['POST'],
  allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
  maxAge: 600,
});

/**
 * Preflights of every other /v1 route: answered without allowance, so browsers do not send the request. They carry
 * no key, so they must not reach authentication (and spend the address's failure budget).
 */
export function noPreflightAllowance(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'OPTIONS') return next();
  res.status(204).end();
}

/** Authenticated requests: allowance for a public key from one of its allowed origins, none otherwise. */
export const keyCors = cors<Request>((req, callback) => {
  const allowed = req.auth?.keyType === 'public' && originAllowed(req.auth, req.header('origin'));
  callback(null, allowed ? { origin: true, exposedHeaders: EXPOSED_HEADERS } : { origin: false });
});

import { rateLimit } from 'express-rate-limit';
import type { Request, Response } from 'express';
import { PlatformError } from '../../core/errors.ts';
import { sendError } from '../http/error-handler.ts';
import type { SharedWindowStore } from './shared-window-store.ts';

/**
 * Per-key limits with the IETF RateLimit-Policy / RateLimit headers (draft 8) and 429 + Retry-After. The counts are
 * shared by every api process through `store` (see SharedWindowStore for how far they can lag).
 */
export function perKeyRateLimit(options: { requests: number; windowS: number }, store: SharedWindowStore) {
  return rateLimit({
    windowMs: options.windowS * 1000,
    limit: options.requests,
    store,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'per-key',
    keyGenerator: (req: Request) => req.auth?.keyId ?? 'anonymous',
    handler: (req: Request, res: Response) => {
      sendError(res, req, new PlatformError('rate_limited', 'rate_limit_exceeded', `Too many requests: this key may make ${options.requests} per ${options.windowS} s.`));
    },
  });
}

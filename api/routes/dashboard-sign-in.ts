import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { PlatformError } from '../../core/errors.ts';
import type { Database } from '../../core/db/database.ts';
import { createApiKey } from '../../core/repositories/api-keys.ts';
import type { DashboardSignInCodes } from '../auth/dashboard-sign-in-codes.ts';
import { sendError } from '../http/error-handler.ts';
import { jsonBody } from '../http/json-body.ts';

/** A working day: the dashboard revokes the key on sign-out, and a tab left open signs in again from a new link. */
const SIGN_IN_KEY_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * `POST /dashboard/session {code}` → `{key, key_id, expires_at}`: a new short-lived secret key named "Dashboard
 * sign-in" for the code's organization.
 */
export function dashboardSignInRoutes(db: Database, codes: DashboardSignInCodes): Router {
  const router = Router();
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req: Request, res: Response) => {
      sendError(res, req, new PlatformError('rate_limited', 'rate_limit_exceeded', 'Too many sign-in attempts; wait a minute.'));
    },
  });
  router.post('/dashboard/session', limiter, ...jsonBody(1024), async (req, res) => {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || code.length === 0 || code.length > 200) {
      throw new PlatformError('invalid_request', 'parameter_invalid', 'code must be the sign-in code from the printed link.', 'code');
    }
    const orgId = codes.redeem(code);
    if (!orgId) {
      throw new PlatformError('authentication', 'sign_in_link_invalid', 'This sign-in link was already used or has expired. Restart the server for a new one, or sign in with a key.');
    }
    const created = await db.tenant(orgId, (trx) =>
      createApiKey(trx, { orgId, type: 'secret', name: 'Dashboard sign-in', lifetimeMs: SIGN_IN_KEY_LIFETIME_MS }),
    );
    res.status(201).json({
      key: created.plaintext,
      key_id: created.row.id,
      expires_at: created.row.expires_at!.toISOString(),
      organization_id: orgId,
    });
  });
  return router;
}

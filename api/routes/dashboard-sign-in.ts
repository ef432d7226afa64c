import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { PlatformError } from '../../core/errors.ts';
import type { Database } from '../../core/db/database.ts';
import { createApiKey } from '../../core/repositories/api-keys.ts';
import { sendError } from '../http/error-handler.ts';
import { jsonBody } from '../http/json-body.ts';

const CODE_TTL_MS = 10 * 60 * 1000;
/** A working day: the dashboard revokes the key on sign-out, and a tab left open signs in again from a new link. */
const SIGN_IN_KEY_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * One-time sign-in codes for the embedded default's printed dashboard link. The code lives only in this process's
 * memory (a restart prints a fresh one), is good for one exchange within ten minutes, and is compared by hash in
 * constant time. Exchanging it mints a new secret key that expires after a working day (and that the dashboard revokes
 * when it signs out), so no long-lived key ever appears in a URL and signing in leaves none behind.
 */
export class DashboardSignInCodes {
  private readonly pending = new Map<string, { orgId: string; expiresAt: number }>();

  constructor(private readonly ttlMs = CODE_TTL_MS) {}

  issue(orgId: string): string {
    const code = randomBytes(24).toString('base64url');
    this.pending.set(hashOf(code).toString('hex'), { orgId, expiresAt: Date.now() + this.ttlMs });
    return code;
  }

  /** The organization the code was issued for, once; undefined for unknown, used or expired codes. */
  redeem(code: string): string | undefined {
    const presented = hashOf(code);
    const now = Date.now();
    let match: string | undefined;
    for (const [stored, entry] of this.pending) {
      if (entry.expiresAt <= now) this.pending.delete(stored);
      else if (timingSafeEqual(Buffer.from(stored, 'hex'), presented)) match = stored;
    }
    if (!match) return undefined;
    const entry = this.pending.get(match)!;
    this.pending.delete(match);
    return entry.orgId;
  }
}

function hashOf(code: string): Buffer {
  return createHash('sha256').update(code).digest();
}

/** The embedded default's organization: the first one created on this database. */
export async function defaultOrganizationId(db: Database): Promise<string | undefined> {
  const row = await db.system((trx) => trx('organizations').orderBy('created_at', 'asc').orderBy('id', 'asc').first('id'));
  return (row as { id: string } | undefined)?.id;
}

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

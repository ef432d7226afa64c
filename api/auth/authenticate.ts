import type { NextFunction, Request, Response } from 'express';
import type { Database } from '../../core/db/database.ts';
import { hashesEqual, looksLikeApiKey, sha256 } from '../../core/crypto/tokens.ts';
import { PlatformError } from '../../core/errors.ts';
import { findApiKeyByHash, touchApiKey, type ApiKeyRow } from '../../core/repositories/api-keys.ts';
import type { FailedAuthThrottle } from '../limits/failed-auth-throttle.ts';
import type { ApiKeyCache } from './api-key-cache.ts';

const LAST_USED_RESOLUTION_MS = 60_000;

const unauthenticated = (message: string) => new PlatformError('authentication', 'invalid_api_key', message);

/** Why the row does not authenticate `hash`, or undefined when it does. */
function refusalOf(row: ApiKeyRow | undefined, hash: Buffer): string | undefined {
  if (!row || !hashesEqual(row.hash, hash)) return 'This API key is not valid.';
  if (row.revoked_at) return 'This API key has been revoked.';
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return 'This API key has expired.';
  return undefined;
}

/**
 * Bearer API keys. The key's SHA-256 is the lookup (keys are 256-bit random, so a fast hash is the right one);
 * the stored hash is compared in constant time. `last_used_at` is written at most once a minute per key.
 * Failures spend the client address's and the key's budget (`throttle`); a spent budget is refused before the key is
 * looked up.
 */
export function authenticate(db: Database, cache: ApiKeyCache, throttle: FailedAuthThrottle) {
  const lastTouched = new Map<string, number>();
  /** Lookups under way by key hash: requests with the same key wait for one lookup (and one budget reservation). */
  const lookups = new Map<string, Promise<ApiKeyRow | undefined>>();

  function touch(row: ApiKeyRow): void {
    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    lastTouched.set(row.id, now);
    db.system((trx) => touchApiKey(trx, row.id)).catch(() => lastTouched.delete(row.id));
  }

  /**
   * Looks the key up, counted as a failure of its address and key while it runs, so requests racing in with unknown
   * keys cannot all reach the database before the first failure is counted. A valid key, or a database that fails
   * the lookup (which says nothing about the key), is forgiven.
   */
  function lookUp(res: Response, hash: Buffer, cacheKey: string, buckets: string[]): Promise<ApiKeyRow | undefined> {
    throttle.fail(res, ...buckets);
    const lookup = db
      .system((trx) => findApiKeyByHash(trx, hash))
      .then(
        (row) => {
          cache.set(cacheKey, row);
          if (!refusalOf(row, hash)) throttle.forgive(...buckets);
          return row;
        },
        (error: unknown) => {
          throttle.forgive(...buckets);
          throw error;
        },
      )
      .finally(() => lookups.delete(cacheKey));
    lookups.set(cacheKey, lookup);
    return lookup;
  }

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const address = throttle.addressOf(req);
    throttle.refuseWhenSpent(res, address);
    const header = req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match || !looksLikeApiKey(match[1]!)) {
      throttle.fail(res, address);
      throw unauthenticated(header ? 'The Authorization header does not hold a well-formed API key.' : 'Send your API key as "Authorization: Bearer sk_…".');
    }
    const hash = sha256(match[1]!);
    const keyBucket = throttle.keyOf(hash);
    throttle.refuseWhenSpent(res, keyBucket);

    const cacheKey = hash.toString('hex');
    const cached = cache.get(cacheKey);
    const running = cached ? undefined : lookups.get(cacheKey);
    const row = cached ? cached.row : await (running ?? lookUp(res, hash, cacheKey, [address, keyBucket]));
    const refusal = refusalOf(row, hash);
    if (refusal) {
      // The request that ran the lookup was counted before it; the others count now.
      if (cached || running) throttle.fail(res, address, keyBucket);
      throw unauthenticated(refusal);
    }
    const key = row!; // refusalOf refuses a missing row
    req.auth = {
      orgId: key.org_id,
      keyId: key.id,
      keyType: key.type,
      allowedAssistantIds: key.allowed_assistant_ids,
      allowedOrigins: key.allowed_origins,
    };
    touch(key);
    next();
  };
}

import type { NextFunction, Request, Response } from 'express';
import type { Database } from '../../core/db/database.ts';
import { hashesEqual, looksLikeApiKey, sha256 } from '../../core/crypto/tokens.ts';
import { PlatformError } from '../../core/errors.ts';
import { findApiKeyByHash, touchApiKey, type ApiKeyRow } from '../../core/repositories/api-keys.ts';
import type { ApiKeyCache } from './api-key-cache.ts';

const LAST_USED_RESOLUTION_MS = 60_000;

const unauthenticated = (message: string) => new PlatformError('authentication', 'invalid_api_key', message);

/**
 * Bearer API keys. The key's SHA-256 is the lookup (keys are 256-bit random, so a fast hash is the right one);
 * the stored hash is compared in constant time. `last_used_at` is written at most once a minute per key.
 */
export function authenticate(db: Database, cache: ApiKeyCache) {
  const lastTouched = new Map<string, number>();

  async function lookup(hash: Buffer): Promise<ApiKeyRow | undefined> {
    const cacheKey = hash.toString('hex');
    const cached = cache.get(cacheKey);
    if (cached) return cached.row;
    const row = await db.system((trx) => findApiKeyByHash(trx, hash));
    cache.set(cacheKey, row);
    return row;
  }

  function touch(row: ApiKeyRow): void {
    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    lastTouched.set(row.id, now);
    db.system((trx) => touchApiKey(trx, row.id)).catch(() => lastTouched.delete(row.id));
  }

  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('authorization');
    if (!header) throw unauthenticated('Send your API key as "Authorization: Bearer sk_…".');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !looksLikeApiKey(match[1]!)) throw unauthenticated('The Authorization header does not hold a well-formed API key.');
    const hash = sha256(match[1]!);
    const row = await lookup(hash);
    if (!row || !hashesEqual(row.hash, hash)) throw unauthenticated('This API key is not valid.');
    if (row.revoked_at) throw unauthenticated('This API key has been revoked.');
    req.auth = {
      orgId: row.org_id,
      keyId: row.id,
      keyType: row.type,
      allowedAssistantIds: row.allowed_assistant_ids,
      allowedOrigins: row.allowed_origins,
    };
    touch(row);
    next();
  };
}

/** Public keys may do one thing: create sessions (the session route checks assistant and origin grants). */
export function requireSecretKey(req: Request, _res: Response, next: NextFunction): void {
  if (req.auth?.keyType === 'public' && !(req.method === 'POST' && req.path === '/sessions')) {
    throw new PlatformError('permission', 'public_key_not_allowed', 'Public keys may only create sessions; use a secret key.');
  }
  next();
}

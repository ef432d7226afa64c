import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ApiKeyType = 'secret' | 'public';

const KEY_PREFIX: Record<ApiKeyType, string> = { secret: 'sk_', public: 'pk_' };
const KEY_SHAPE = /^(sk|pk)_[A-Za-z0-9_-]{43}$/;

/** A new API key: the plaintext (shown once), its hash (stored) and a display prefix (stored, shown in lists). */
export function generateApiKey(type: ApiKeyType) {
  const plaintext = `${KEY_PREFIX[type]}${randomBytes(32).toString('base64url')}`;
  return { plaintext, hash: sha256(plaintext), displayPrefix: plaintext.slice(0, 10) };
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/** Short-lived random bearer tokens (session stream tokens); stored only as a hash. */
export function generateToken(prefix: string) {
  const plaintext = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { plaintext, hash: sha256(plaintext) };
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

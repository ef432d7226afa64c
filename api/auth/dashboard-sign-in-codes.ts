import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const CODE_TTL_MS = 10 * 60 * 1000;

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

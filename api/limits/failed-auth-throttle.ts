import type { Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { PlatformError } from '../../core/errors.ts';
import type { SharedWindowStore } from './shared-window-store.ts';

/**
 * A budget of failed authentications per window for each client address and for each key tried, shared by every api
 * process. Once a bucket has spent it, requests on it get 429 with Retry-After before any key lookup.
 */
export class FailedAuthThrottle {
  constructor(
    private readonly store: SharedWindowStore,
    private readonly limit: number,
  ) {}

  /** The address bucket: an IPv6 client counts by its /56, which one customer line usually holds whole. */
  addressOf(req: Request): string {
    return `address:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown', 56)}`;
  }

  /** The key bucket, from the key's hash: a key is never written anywhere, not even into a counter's name. */
  keyOf(hash: Buffer): string {
    return `key:${hash.toString('hex', 0, 16)}`;
  }

  /** 429 when the bucket has spent its budget in this window. */
  refuseWhenSpent(res: Response, bucket: string): void {
    const info = this.store.get(bucket);
    if (info && info.totalHits >= this.limit) this.refuse(res, info.resetTime);
  }

  /**
   * Counts a failure on each bucket, or refuses with 429 when one has already spent its budget. Counted before a key
   * lookup, so requests racing in with unknown keys cannot all reach the database before the first is counted;
   * `forgive` takes the count back when the key turns out valid.
   */
  fail(res: Response, ...buckets: string[]): void {
    for (const bucket of buckets) this.refuseWhenSpent(res, bucket);
    for (const bucket of buckets) this.store.increment(bucket);
  }

  forgive(...buckets: string[]): void {
    for (const bucket of buckets) this.store.decrement(bucket);
  }

  private refuse(res: Response, resetTime: Date | undefined): never {
    const retryAfterS = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
    res.setHeader('Retry-After', String(retryAfterS));
    throw new PlatformError(
      'rate_limited',
      'too_many_failed_authentications',
      `Too many requests with a missing, unknown or revoked API key from this address or for this key; retry in ${retryAfterS} s.`,
    );
  }
}

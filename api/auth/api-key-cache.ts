import { LRUCache } from 'lru-cache';
import type { ApiKeyRow } from '../../core/repositories/api-keys.ts';

// lru-cache cannot hold `undefined`, and an unknown key is remembered too (so guessing keys is not a query each).
interface Entry {
  row: ApiKeyRow | undefined;
}

/**
 * Remembers key lookups for a few seconds so authenticating is not a database round trip on every request.
 * Revocation through this process takes effect at once (`forget`); through another process within the TTL.
 * Least recently used keys are evicted first, so the keys in use stay cached when more keys than fit are tried.
 */
export class ApiKeyCache {
  private readonly entries: LRUCache<string, Entry> | undefined;
  /** Key id → hash of its secret, so `forget` is one lookup instead of a scan. */
  private readonly hashByKeyId = new Map<string, string>();

  constructor(ttlMs: number, maxEntries = 10_000) {
    if (ttlMs <= 0) return;
    this.entries = new LRUCache<string, Entry>({
      max: maxEntries,
      ttl: ttlMs,
      dispose: (entry, hashHex) => {
        if (entry.row && this.hashByKeyId.get(entry.row.id) === hashHex) this.hashByKeyId.delete(entry.row.id);
      },
    });
  }

  get(hashHex: string): Entry | undefined {
    return this.entries?.get(hashHex);
  }

  set(hashHex: string, row: ApiKeyRow | undefined): void {
    if (!this.entries) return;
    this.entries.set(hashHex, { row });
    if (row) this.hashByKeyId.set(row.id, hashHex);
  }

  forget(keyId: string): void {
    const hashHex = this.hashByKeyId.get(keyId);
    if (hashHex !== undefined) this.entries?.delete(hashHex);
  }
}

import type { ApiKeyRow } from '../../core/repositories/api-keys.ts';

interface Entry {
  row: ApiKeyRow | undefined;
  expiresAtMs: number;
}

/**
 * Remembers key lookups for a few seconds so authenticating is not a database round trip on every request.
 * Revocation through this process takes effect at once (`forget`); through another process within the TTL.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hashHex: string): Entry | undefined {
    const entry = this.entries.get(hashHex);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.entries.delete(hashHex);
      return undefined;
    }
    return entry;
  }

  set(hashHex: string, row: ApiKeyRow | undefined): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hashHex, { row, expiresAtMs: Date.now() + this.ttlMs });
  }

  forget(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.row?.id === keyId) this.entries.delete(hash);
  }
}

// API-key cache: ns per lookup of the lru-cache class against the hand-written cache it replaced (copied below).
// Usage: npm run bench:api-key-cache (BENCH_LOOKUPS per run, default 2,000,000; BENCH_CAPACITY, default 10,000).
// "within capacity": every key fits, each lookup hits. "under eviction": twice as many keys as fit, visited in a
// hot/cold mix (90 % of lookups on a tenth of the keys, 10 % on the rest), a miss is stored as authenticate does.
import type { ApiKeyRow } from '../core/repositories/api-keys.ts';
import { ApiKeyCache } from '../api/auth/api-key-cache.ts';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2_000_000);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 10_000);
const TTL_MS = 60_000;

interface Cache {
  get(hashHex: string): { row: ApiKeyRow | undefined } | undefined;
  set(hashHex: string, row: ApiKeyRow | undefined): void;
}

/** The cache before lru-cache: insertion-order eviction, TTL checked on read. */
class InsertionOrderCache implements Cache {
  private readonly entries = new Map<string, { row: ApiKeyRow | undefined; expiresAtMs: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}
  get(hashHex: string) {
    const entry = this.entries.get(hashHex);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.entries.delete(hashHex);
      return undefined;
    }
    return entry;
  }
  set(hashHex: string, row: ApiKeyRow | undefined) {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hashHex, { row, expiresAtMs: Date.now() + this.ttlMs });
  }
}

const row = (i: number) => ({ id: `key-${i}` }) as ApiKeyRow;
const hash = (i: number) => i.toString(16).padStart(64, '0');

function pattern(keys: number): number[] {
  // A fixed pseudo-random sequence so both caches see the same lookups.
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  const hot = Math.max(1, Math.floor(keys / 10));
  return Array.from({ length: LOOKUPS }, () => (next() < 0.9 ? Math.floor(next() * hot) : hot + Math.floor(next() * (keys - hot))));
}

function measure(cache: Cache, keys: number[], hashes: string[]) {
  let hits = 0;
  const started = process.hrtime.bigint();
  for (const i of keys) {
    if (cache.get(hashes[i]!)) hits++;
    else cache.set(hashes[i]!, row(i));
  }
  const ns = Number(process.hrtime.bigint() - started) / keys.length;
  return { ns, hitRate: hits / keys.length };
}

const CACHES: Record<string, () => Cache> = {
  'hand-written (insertion order)': () => new InsertionOrderCache(TTL_MS, CAPACITY),
  'lru-cache': () => new ApiKeyCache(TTL_MS, CAPACITY),
};
const SCENARIOS = { 'within capacity': CAPACITY, 'under eviction': CAPACITY * 2 };

const table = [];
for (const [scenario, keyCount] of Object.entries(SCENARIOS)) {
  const keys = pattern(keyCount);
  const hashes = Array.from({ length: keyCount }, (_, i) => hash(i));
  for (const [name, make] of Object.entries(CACHES)) {
    measure(make(), keys, hashes); // warm-up: JIT and the caches' own allocation
    const { ns, hitRate } = measure(make(), keys, hashes);
    table.push({ scenario, cache: name, 'ns/lookup': Math.round(ns), 'hit rate': `${(hitRate * 100).toFixed(1)} %` });
  }
}
console.table(table);

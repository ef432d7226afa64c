/**
 * The nearest-rank percentile (p in 0–100) of values sorted ascending: always one of the values, never interpolated,
 * so a p99 over few samples is the slowest one seen rather than a number nobody measured. Null when there are none.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

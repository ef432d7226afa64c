import { registry } from '../../core/metrics/registry.ts';

type Labels = Record<string, string>;

/** A metric's samples as the registry would expose them, for comparing before and after. */
export async function snapshot(): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const sample of metric.values) {
      if ('le' in sample.labels) continue; // histogram buckets: the tests read counts and sums
      const name = (sample as { metricName?: string }).metricName ?? metric.name;
      values.set(sampleKey(name, sample.labels as Labels), sample.value);
    }
  }
  return values;
}

function sampleKey(name: string, labels: Labels): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`);
  return `${name}{${pairs.join(',')}}`;
}

/** How much a sample moved between two snapshots (a sample absent counts as 0). */
export function moved(before: Map<string, number>, after: Map<string, number>, name: string, labels: Labels = {}): number {
  const key = sampleKey(name, labels);
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

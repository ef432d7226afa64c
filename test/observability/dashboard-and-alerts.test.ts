import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import '../../api/http/metrics.ts';
import '../../core/metrics/session-metrics.ts';
import '../../core/metrics/worker-metrics.ts';
import { registry } from '../../core/metrics/registry.ts';
import { metricNames } from './promql-metric-names.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const DASHBOARD = path.join(ROOT, 'docker/grafana/dashboards/echosphere.json');
const ALERTS = path.join(ROOT, 'docker/prometheus/alerts.yml');
/** Series Prometheus itself writes for every scrape target. */
const PROMETHEUS_SERIES = new Set(['up']);

/** Every series name the registry exposes: a histogram's `_bucket`, `_sum` and `_count`, a summary's quantiles, `_sum` and `_count`. */
async function exportedSeries(): Promise<Set<string>> {
  const series = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    series.add(metric.name);
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(metric.name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) series.add(metric.name + suffix);
  }
  return series;
}

function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
}

function alertRules(): Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string> }> {
  const file = YAML.parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string }> }> };
  return file.groups.flatMap((group) => group.rules);
}

describe('Grafana dashboard and Prometheus alert rules', () => {
  it('reads metric names out of PromQL, refuses what Prometheus would not parse, and would catch a name the code does not export', async () => {
    assert.deepEqual(
      metricNames('histogram_quantile(0.95, sum by (le, stage) (rate(echosphere_turn_latency_seconds_bucket{stage="stt"}[$__rate_interval])))'),
      ['echosphere_turn_latency_seconds_bucket'],
    );
    assert.deepEqual(metricNames('sum(rate(a_total{x=~"5.."}[5m])) / on (job) group_left sum without (le) (b) > 0.5 and up == 0'), ['a_total', 'b', 'up']);
    assert.throws(() => metricNames('sum(rate(a_total[5m])'), SyntaxError, 'an unclosed parenthesis');
    assert.throws(() => metricNames('rate(a_total[5x])'), SyntaxError, 'a bad duration');
    const exported = await exportedSeries();
    assert.ok(!exported.has('echosphere_turn_latency_bucket'), 'a misspelt name is not among the exported series');
  });

  it("every dashboard query selects only series the code exports, and every EchoSphere metric is on the dashboard", async () => {
    const exported = await exportedSeries();
    const queries = dashboardQueries();
    assert.ok(queries.length >= 20, `${queries.length} queries`);
    const used = new Set<string>();
    for (const { panel, expr } of queries) {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `panel "${panel}" selects no metric: ${expr}`);
      for (const name of names) {
        assert.ok(exported.has(name), `panel "${panel}" uses ${name}, which the registry does not export`);
        used.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    const ours = (await registry.getMetricsAsJSON()).map((metric) => metric.name).filter((name) => name.startsWith('echosphere_'));
    assert.deepEqual(ours.filter((name) => !used.has(name)), [], 'metrics with no panel');
  });

  it('every alert rule selects only exported series (or Prometheus\'s own `up`) and is complete', async () => {
    const exported = await exportedSeries();
    const rules = alertRules();
    const covered = (pattern: RegExp) => rules.some((rule) => pattern.test(rule.expr));
    assert.ok(covered(/echosphere_http_requests_total\{status=~"5\.\."\}/), 'an error-rate alert');
    assert.ok(covered(/histogram_quantile\(0\.95,[^]*echosphere_turn_latency_seconds_bucket/), 'a latency p95 alert');
    assert.ok(covered(/echosphere_queue_depth/), 'a queue backlog alert');
    assert.ok(covered(/echosphere_webhook_deliveries_total/), 'a webhook failure alert');
    for (const rule of rules) {
      assert.match(rule.alert, /^EchoSphere[A-Za-z0-9]+$/);
      assert.ok(rule.labels?.severity, `${rule.alert} has a severity`);
      if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/, `${rule.alert} for`);
      for (const name of metricNames(rule.expr)) {
        assert.ok(exported.has(name) || PROMETHEUS_SERIES.has(name), `${rule.alert} uses ${name}, which the registry does not export`);
      }
    }
    assert.equal(new Set(rules.map((rule) => rule.alert)).size, rules.length, 'alert names are unique');
  });
});

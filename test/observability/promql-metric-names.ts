import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression selects, read from the parse tree of Prometheus's own PromQL grammar (the one
 * its web UI uses), so a query that Prometheus would refuse fails here with the position of the mistake.
 * Grafana's interval variables are not PromQL: they become plain durations first.
 */
export function metricNames(expr: string): string[] {
  const promql = expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$__interval', '1m');
  const names = new Set<string>();
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) throw new SyntaxError(`PromQL does not parse at ${node.from}: ${promql.slice(Math.max(0, node.from - 20), node.from + 20)}`);
      if (node.name !== 'VectorSelector') return;
      const name = node.node.getChild('Identifier');
      if (name) names.add(promql.slice(name.from, name.to));
    },
  });
  return [...names];
}

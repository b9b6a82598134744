import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { messagingMetrics } from '@tremplin/messaging';
import { createMetricsRegistry, HttpMetrics } from '@tremplin/service-kit';

/**
 * deploy/k8s/prometheus-rules.yaml: every expression parses as PromQL (the Prometheus project's own grammar),
 * every metric it reads is registered by the services' code (or comes from a named exporter), and every alert
 * has a severity and a runbook section in docs/operations.md.
 */
const repo = join(__dirname, '..', '..');
const rules = parse(readFileSync(join(__dirname, 'prometheus-rules.yaml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
};
const alerts = rules.groups.flatMap((g) => g.rules);
/** Metrics read by the rules that no Tremplin process exports: Prometheus's own, and postgres_exporter's with our queries. */
const exporterQueries = parse(readFileSync(join(__dirname, 'postgres-exporter-queries.yaml'), 'utf8')) as Record<string, { query: string; metrics: Record<string, { usage: string }>[] }>;
const EXTERNAL = new Set([
  'up',
  ...Object.entries(exporterQueries).flatMap(([prefix, { metrics }]) => metrics.flatMap((m) => Object.keys(m).map((column) => `${prefix}_${column}`))),
]);

/** The series names a service's /metrics serves: the registry and metrics its bootstrap creates. */
async function exportedSeries(): Promise<Set<string>> {
  const registry = createMetricsRegistry('rules-spec');
  new HttpMetrics(registry);
  messagingMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

function metricsOf(expr: string): { metrics: string[]; errors: number } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let errors = 0;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errors += 1;
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return { metrics, errors };
}

it('covers relay backlog, publish failures, subscriber lag, dead letters and snapshot-horizon stalls', () => {
  expect(alerts.map((a) => a.alert)).toEqual(
    expect.arrayContaining(['TremplinOutboxBacklog', 'TremplinOutboxPublishFailing', 'TremplinConsumerLag', 'TremplinDeadLetters', 'TremplinSnapshotHorizonStalled']),
  );
  expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
});

it('parses every expression as PromQL', () => {
  for (const alert of alerts) expect({ alert: alert.alert, errors: metricsOf(alert.expr).errors }).toEqual({ alert: alert.alert, errors: 0 });
  // The grammar does flag a broken expression.
  expect(metricsOf('sum by (service (rate(x[5m]))').errors).toBeGreaterThan(0);
});

it('reads only metrics the services export, or that a named exporter provides', async () => {
  const exported = await exportedSeries();
  const read = alerts.flatMap((a) => metricsOf(a.expr).metrics);
  expect(read.length).toBeGreaterThanOrEqual(alerts.length);
  for (const metric of read) expect({ metric, known: exported.has(metric) || EXTERNAL.has(metric) }).toEqual({ metric, known: true });
  for (const metric of EXTERNAL) expect(exported.has(metric)).toBe(false);
  expect(read).toContain('tremplin_pg_oldest_xid_transaction_seconds');
});

it('gives every alert a severity, a duration in Prometheus syntax, a summary and a runbook section', () => {
  const runbook = readFileSync(join(repo, 'docs', 'operations.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/`/g, '').replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  for (const alert of alerts) {
    expect(['warning', 'critical']).toContain(alert.labels['severity']);
    if (alert.for !== undefined) expect(alert.for).toMatch(/^(\d+[smhd])+$/);
    expect(alert.annotations['summary']).toBeTruthy();
    expect(alert.annotations['runbook_url']).toBe(`docs/operations.md#${alert.alert.toLowerCase()}`);
    expect(anchors).toContain(alert.alert.toLowerCase());
  }
});

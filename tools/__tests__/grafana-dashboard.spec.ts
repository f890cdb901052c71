// The Grafana dashboard against the metrics the code exports: every query names metrics and labels
// a Baton process really serves on /metrics, so no panel stays empty because of a typo or a
// rename. The standalone app composes all six services, so its /metrics holds every metric.
/* eslint-disable @nx/enforce-module-boundaries -- boots the standalone app as `npm start` does;
   apps export no path alias, and no app depends on this file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSampleSystems } from '@baton/connectors';
import { BatonMetrics } from '@baton/platform-observability';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStandaloneApp } from '../../apps/standalone/src/standalone.bootstrap';

const root = join(__dirname, '..', '..');
const DASHBOARD = 'deploy/helm/baton/dashboards/baton-overview.json';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(join(root, DASHBOARD), 'utf8')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: unknown }> };
};
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** PromQL words that are not metric names. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless']);

/**
 * The metric names and the label names a PromQL expression uses: the selectors' metric names,
 * the labels their matchers name, and the labels of `by (...)` and `without (...)`. Grafana's
 * `$variables`, strings, ranges and function names are not metrics.
 */
function parsePromQl(expr: string): { metrics: string[]; labels: string[] } {
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$\{?\w+\}?/g, '');
  const labels: string[] = [];
  rest = rest.replace(/\{([^}]*)\}/g, (_m, matchers: string) => {
    for (const m of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) labels.push(m[1]!);
    return ' ';
  });
  rest = rest.replace(/\b(by|without)\s*\(([^)]*)\)/g, (_m, _kw, names: string) => {
    labels.push(
      ...names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    );
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ');
  const metrics = [...rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)].filter((m) => !m[2] && !KEYWORDS.has(m[1]!)).map((m) => m[1]!);
  return { metrics, labels };
}

describe('Grafana dashboard', () => {
  let sut: NestFastifyApplication;
  /** Series names on /metrics (a histogram's _bucket, _sum and _count included), with their labels. */
  const served = new Map<string, Set<string>>();

  beforeAll(async () => {
    sut = await createStandaloneApp({
      database: { kind: 'pglite' },
      workflowsDir: join(root, 'workflows'),
      systems: createSampleSystems(),
      schedules: false,
      webhooks: { sourcesFile: join(root, 'config/webhook-sources.example.yaml') },
    });
    const text = (await sut.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' })).body;
    const registry = sut.get(BatonMetrics).registry;
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      const metric = registry.getSingleMetric(name!) as unknown as { labelNames?: string[] } | undefined;
      const labels = new Set(['service', ...(metric?.labelNames ?? [])]);
      // Series actually present also show their labels (default metrics declare none up front).
      for (const line of text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_`))) {
        for (const [, label] of line.matchAll(/[{,]([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(label!);
      }
      const series =
        type === 'histogram'
          ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
          : type === 'summary'
            ? [name!, `${name}_sum`, `${name}_count`]
            : [name!];
      for (const s of series) served.set(s, s.endsWith('_bucket') ? new Set([...labels, 'le']) : labels);
    }
  }, 60_000);
  afterAll(async () => sut?.close());

  it('has panels with queries', () => {
    expect(queries.length).toBeGreaterThan(20);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'service']);
  });

  it('queries only metrics a Baton process serves, each at least one', () => {
    const problems = queries.flatMap(({ panel, expr }) => {
      const { metrics } = parsePromQl(expr);
      if (metrics.length === 0) return [`${panel}: no metric in ${expr}`];
      return metrics.filter((m) => !served.has(m)).map((m) => `${panel}: ${m} is not served`);
    });
    expect(problems).toEqual([]);
  });

  it('groups and filters only by labels those metrics have', () => {
    const problems = queries.flatMap(({ panel, expr }) => {
      const { metrics, labels } = parsePromQl(expr);
      const known = new Set(metrics.flatMap((m) => [...(served.get(m) ?? [])]));
      return labels.filter((l) => !known.has(l)).map((l) => `${panel}: label ${l} is on none of ${metrics.join(', ')}`);
    });
    expect(problems).toEqual([]);
  });

  it('its service variable reads a served metric', () => {
    const service = dashboard.templating.list.find((v) => v.name === 'service') as { query: { query: string } };
    const metric = /label_values\((\w+),\s*(\w+)\)/.exec(service.query.query);
    expect(served.get(metric![1]!)?.has(metric![2]!)).toBe(true);
  });

  // The checks above must be able to fail.
  it('catches a misspelt metric and an unknown label', () => {
    expect(parsePromQl('sum by (topic, failur_class) (rate(baton_retrys_total{service=~"$service"}[$__rate_interval]))')).toEqual({
      metrics: ['baton_retrys_total'],
      labels: ['service', 'topic', 'failur_class'],
    });
    expect(served.has('baton_retrys_total')).toBe(false);
    expect(served.get('baton_retries_total')?.has('failur_class')).toBe(false);
    expect(parsePromQl('histogram_quantile(0.99, sum by (le) (rate(baton_http_request_duration_seconds_bucket[5m])))').metrics).toEqual([
      'baton_http_request_duration_seconds_bucket',
    ]);
  });
});

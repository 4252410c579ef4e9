/**
 * Issue 13, item 3: lean by default, full on request. Every metric name a dashboard panel, a
 * dashboard variable or a rule reads is kept by the keep rule of the job that exports it — checked
 * on the shipped prometheus.yml with the e2e checks' own extraction of metric names, independent of
 * lib/content/metric-usage.ts — and `metrics: full` renders no keep rule.
 */
import { load } from 'js-yaml';
import { readFileSync } from 'fs';
import { join } from 'path';
import { buildEnvironments, ruleFilesFor } from '../lib/output/synth';
import { LEAN_ALLOWLIST, leanRelabelling, metricQueries, usedMetricNames } from '../lib/content/metric-usage';
import { dashboardQueries, selectedMetricNames } from './e2e/checks';
import { configWith, find, objectsOf, ROOT } from './support/app';

/** Which job exports a metric, by the prefixes the stack declares (ownsMetrics). */
const OWNER: [string, string][] = [['node_', 'node-exporter'], ['pg_', 'postgres-exporter'], ['redis_', 'redis-exporter']];

function jobs(env: ReturnType<typeof buildEnvironments>[number]): Map<string, any> {
  const yml = find(objectsOf(env), 'ConfigMap', 'prometheus-config').data['prometheus.yml'];
  return new Map((load(yml) as any).scrape_configs.map((j: any) => [j.job_name, j]));
}

function keepRegex(job: any): RegExp | undefined {
  const keep = (job.metric_relabel_configs ?? []).find((r: any) => r.action === 'keep' && r.source_labels?.[0] === '__name__');
  return keep ? new RegExp(`^(?:${keep.regex})$`) : undefined;
}

/** Every metric name the dashboards (panels and label_values variables) and the environment's rule files read. */
function readNames(config: any): string[] {
  const names = new Set<string>();
  for (const q of dashboardQueries(ROOT)) for (const n of selectedMetricNames(q.query.expr)) names.add(n);
  for (const file of readdirJson()) {
    for (const v of (file.templating?.list ?? [])) {
      const m = /label_values\(([\s\S]*),\s*\w+\)/.exec(typeof v.query === 'string' ? v.query : v.query?.query ?? '');
      if (m) for (const n of selectedMetricNames(m[1])) names.add(n);
    }
  }
  for (const f of ruleFilesFor(ROOT, config)) {
    for (const g of (load(f.text) as any).groups) for (const r of g.rules) for (const n of selectedMetricNames(String(r.expr))) names.add(n);
  }
  return [...names].sort();
}

function readdirJson(): any[] {
  return require('fs').readdirSync(join(ROOT, 'dashboards')).filter((f: string) => f.endsWith('.json'))
    .map((f: string) => JSON.parse(readFileSync(join(ROOT, 'dashboards', f), 'utf8')));
}

describe('lean metrics', () => {
  const envs = buildEnvironments({ root: ROOT });

  test.each(envs.map((e) => [e.config.name, e]))('%s: every metric a dashboard or rule reads is kept by its job', (_name, env) => {
    expect(env.config.metrics).toBe('lean');
    const byJob = jobs(env);
    const dropped: string[] = [];
    let checked = 0;
    for (const name of readNames(env.config)) {
      const owner = OWNER.find(([p]) => name.startsWith(p))?.[1];
      if (!owner) continue;
      const re = keepRegex(byJob.get(owner));
      expect(re).toBeDefined();
      checked++;
      if (!re!.test(name)) dropped.push(`${name} (job ${owner})`);
    }
    expect(dropped).toEqual([]);
    expect(checked).toBeGreaterThan(20);
    // The allowlist is kept too, and the keep rule comes after the forged-series drop.
    for (const [job, names] of Object.entries(LEAN_ALLOWLIST)) {
      const rules = byJob.get(job).metric_relabel_configs;
      expect(rules[0].action).toBe('drop');
      expect(rules.at(-1).action).toBe('keep');
      for (const n of names) expect(keepRegex(byJob.get(job))!.test(n)).toBe(true);
    }
  });

  test('the keep rule drops an unread heavy family (pg_settings_*)', () => {
    const re = keepRegex(jobs(envs[0]).get('postgres-exporter'))!;
    // (pg_settings_max_connections is read by PostgresTooManyConnections, so it is kept.)
    expect(re.test('pg_settings_max_connections')).toBe(true);
    expect(re.test('pg_settings_shared_buffers_bytes')).toBe(false);
    expect(re.test('redis_latency_percentiles_usec')).toBe(false);
  });

  test('a metric a new panel reads is kept without any other change', () => {
    const panel = { title: 'new', targets: [{ refId: 'A', expr: 'max(pg_settings_max_connections{job="postgres-exporter"})' }] };
    const used = usedMetricNames(metricQueries([], [{ name: 'new', json: JSON.stringify({ panels: [panel] }) }]));
    const [rule] = leanRelabelling('lean', 'postgres-exporter', ['pg_*'], used);
    expect(new RegExp(`^(?:${rule.regex})$`).test('pg_settings_max_connections')).toBe(true);
  });

  test('a selector without a fixed metric name is refused in lean mode (it could not be kept by name)', () => {
    const rules = [{ name: 'x.rules.yaml', text: 'groups: [{ name: g, rules: [{ record: "a:b", expr: "count({__name__=~\\"pg_.*\\"})" }] }]' }];
    expect(() => usedMetricNames(metricQueries(rules, []))).toThrow(/rules\/x\.rules\.yaml, rule "a:b".*without a fixed metric name.*metrics: full/s);
  });

  test('metrics: full renders no keep rule on the exporters', () => {
    const [env] = buildEnvironments({ root: ROOT, environments: ['dev'], configFile: configWith((d) => { d.defaults.metrics = 'full'; }) });
    const byJob = jobs(env);
    for (const job of Object.keys(LEAN_ALLOWLIST)) expect(keepRegex(byJob.get(job))).toBeUndefined();
  });
});

/**
 * Lean by default, full on request (issue 13, item 3): the heavy exporters' series that no dashboard
 * panel, dashboard variable, recording rule or alert reads are dropped at scrape, by a
 * `metric_relabel_configs` keep rule whose names are derived from those same queries at synth time.
 * A metric a new panel or rule reads is therefore kept by construction; test/lean-metrics.test.ts
 * proves it on the shipped output. `metrics: full` renders no keep rule.
 */
import { parseYamlShared } from '../config/yaml-input';
import { ConfigError } from '../config/errors';
import { panelQueries } from './dashboards';
import { substituteGrafanaMacros } from './promql';
import { vectorSelectors } from './rule-jobs';

/** `lean` drops what nothing reads (the default); `full` keeps every series the exporters serve. */
export type MetricsMode = 'lean' | 'full';

/**
 * Names kept in lean mode although no shipped query reads them, per job: each exporter's health and
 * identity series, which an operator opens first when a panel is empty. Prometheus's own per-target
 * series (`up`, `scrape_*`) are written after metric relabelling and are never affected by it.
 */
export const LEAN_ALLOWLIST: Readonly<Record<string, readonly string[]>> = {
  'node-exporter': ['node_exporter_build_info', 'node_scrape_collector_success', 'node_textfile_scrape_error', 'node_uname_info'],
  'postgres-exporter': ['pg_exporter_last_scrape_error', 'pg_scrape_collector_success', 'pg_static', 'pg_up', 'postgres_exporter_build_info'],
  'redis-exporter': ['redis_exporter_build_info', 'redis_exporter_last_scrape_error', 'redis_instance_info', 'redis_up'],
};

/** The jobs a keep rule applies to in lean mode: the exporters that serve far more than is read. */
export const LEAN_JOBS = Object.keys(LEAN_ALLOWLIST);

/** A query and where it comes from (for the error when its metric names cannot be known). */
interface Source { readonly where: string; readonly expr: string }

/** Every query of the rule files (record and alert expressions) and of the dashboards (panels and label_values variables). */
export function metricQueries(rules: readonly { name: string; text: string }[], dashboards: readonly { name: string; json: string }[]): Source[] {
  const out: Source[] = [];
  for (const f of rules) {
    const doc = parseYamlShared(f.text) as { groups?: { name: string; rules?: { record?: string; alert?: string; expr: unknown }[] }[] } | null;
    for (const g of doc?.groups ?? []) for (const r of g.rules ?? []) out.push({ where: `rules/${f.name}, rule "${r.alert ?? r.record}"`, expr: String(r.expr) });
  }
  for (const d of dashboards) {
    const json = JSON.parse(d.json) as Record<string, unknown>;
    for (const q of panelQueries(json)) out.push({ where: `dashboards/${d.name}.json, panel "${q.panelTitle}" ${q.refId}`, expr: substituteGrafanaMacros(q.expr) });
    const list = (json.templating as { list?: unknown[] } | undefined)?.list ?? [];
    for (const v of list as Record<string, any>[]) {
      const def = typeof v?.query === 'string' ? v.query : typeof v?.query?.query === 'string' ? v.query.query : '';
      const m = /^\s*label_values\(\s*([\s\S]*?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/.exec(def);
      if (v?.type === 'query' && m) out.push({ where: `dashboards/${d.name}.json, variable "${v.name}"`, expr: substituteGrafanaMacros(m[1]) });
    }
  }
  return out;
}

/**
 * Every metric name the queries select. A selector without a fixed name (`{__name__=~"pg_.*"}`,
 * `{job="x"}`) cannot be kept by name: refused, so nothing it reads is dropped silently.
 */
export function usedMetricNames(queries: readonly Source[]): Set<string> {
  const used = new Set<string>();
  for (const q of queries) {
    for (const s of vectorSelectors(q.expr)) {
      if (s.metric === '') {
        throw new ConfigError(q.where, q.expr.replace(/\s+/g, ' ').trim(), 'selects series without a fixed metric name, so lean metrics cannot tell which series it reads',
          'name the metric in the selector, or set metrics: full in the environment');
      }
      used.add(s.metric);
    }
  }
  return used;
}

/** The names a job keeps in lean mode: what the queries read of the names it owns (exact or `prefix*`), plus its allowlist; sorted. */
export function leanKeepList(job: string, owned: readonly string[], used: ReadonlySet<string>): string[] {
  const mine = [...used].filter((n) => owned.some((p) => (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p)));
  return [...new Set([...mine, ...(LEAN_ALLOWLIST[job] ?? [])])].sort();
}

/** The `metric_relabel_configs` a job gets for `mode`: one keep rule of exact names in lean mode for the LEAN_JOBS, else none. */
export function leanRelabelling(mode: MetricsMode, job: string, owned: readonly string[], used: ReadonlySet<string>): Record<string, unknown>[] {
  if (mode === 'full' || !LEAN_JOBS.includes(job)) return [];
  return [{ source_labels: ['__name__'], regex: leanKeepList(job, owned, used).join('|'), action: 'keep' }];
}

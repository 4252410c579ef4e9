/**
 * The end-to-end checks of the generated stack against the real programs, shared by the jest test
 * (test/e2e/stack.e2e.test.ts) and the user command (`npm run verify`, scripts/verify.ts).
 *
 * Each check returns a CheckResult (pass/fail plus report lines) instead of throwing, so that the
 * report shows every panel and alert; the jest test asserts `ok`.
 */
import { join } from 'node:path';
import type { LRParser } from '@lezer/lr';
import YAML from 'yaml';
import { CADVISOR_DISABLED_METRICS } from '../../lib/components/cadvisor';
import { API_RECORDS } from '../../lib/content/api-rules';
import { loadDashboards, panelQueries, type DashboardJson, type PanelQuery } from '../../lib/content/dashboards';
import { substituteGrafanaMacros } from '../../lib/content/promql';
import { API_JOB } from '../../lib/components/stack';
import { cadvisorMetricGroups, pinnedFacts, readFacts } from '../support/facts';
import { sleep, waitUntil, type Sample, type WebhookAlert, type WebhookHandle } from './harness';
import { LOCAL_FOR, LOCAL_INTERVAL, type LocalStack } from './local-stack';

// Same loading as lib/promql.ts: the package's CommonJS build, typed with the parser class it exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Report lines (already indented by the formatter). */
  readonly lines: string[];
  readonly ms: number;
}

/** The dashboard row whose panels need cAdvisor, which cannot run here. */
export const CADVISOR_ROW = 'Containers (cAdvisor)';
/** The dashboard row whose panels need the kubelet, which cannot run here. */
export const KUBELET_ROW = 'Volumes (kubelet)';

/** The kubelet's volume statistics names (facts read upstream; no kubelet runs here). */
export function loadKubeletMetrics(): Set<string> {
  return new Set((readFacts('facts/kubelet-unknown.json').volumeStatsMetricsEvidence.metrics as { name: string }[]).map((m) => m.name));
}
/** Grafana template variables become this regex (every value of the label, label present). */
const VARIABLE_REGEX = '.+';
/** API error fractions for the HighErrorRate checks: below and above the rule's 5 % threshold. */
export const LOW_ERROR_FRACTION = 0.02;
export const HIGH_ERROR_FRACTION = 0.1;
/** The exporter the InstanceDown check stops and restarts. */
export const STOPPED_JOB = 'redis-exporter';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const finite = (s: Sample[]) => s.filter((x) => Number.isFinite(x.value));
const fmt = (v: number) => (Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(3) : String(Number(v.toPrecision(4))));

async function timed(name: string, run: (lines: string[]) => Promise<boolean>): Promise<CheckResult> {
  const t = Date.now();
  const lines: string[] = [];
  let ok = false;
  try {
    ok = await run(lines);
  } catch (e) {
    lines.push(`ERROR: ${(e as Error).message}`);
    ok = false;
  }
  return { name, ok, lines, ms: Date.now() - t };
}

// ---------------------------------------------------------------------------------------------
// PromQL helpers

/** Metric names of every vector selector of `expr` (Grafana macros substituted first). */
export function selectedMetricNames(expr: string): string[] {
  const src = substituteGrafanaMacros(expr, VARIABLE_REGEX);
  const names: string[] = [];
  parser.parse(src).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return undefined;
      const id = ref.node.getChild('Identifier');
      if (id) {
        names.push(src.slice(id.from, id.to));
      } else {
        // {__name__="x"}
        for (const m of ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (label && op && value && src.slice(label.from, label.to) === '__name__' && src.slice(op.from, op.to) === '=') {
            names.push(JSON.parse(src.slice(value.from, value.to)) as string);
          }
        }
      }
      return false;
    },
  });
  return names;
}

/** The pinned cAdvisor's metric list (facts read upstream at its tag): name → the -disable_metrics group ('' = always on). */
export function loadCadvisorMetrics(): Map<string, string> {
  return cadvisorMetricGroups(pinnedFacts('cadvisor'));
}

/** Why a metric name is not usable from cAdvisor as deployed, or undefined when it is. */
function cadvisorProblem(name: string, cadvisor: Map<string, string>): string | undefined {
  const group = cadvisor.get(name);
  if (group === undefined) return `${name} is not exported by the pinned cAdvisor (facts/cadvisor-*.json)`;
  if (group !== '' && CADVISOR_DISABLED_METRICS.includes(group)) return `${name} belongs to group "${group}", which the DaemonSet disables`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Targets and rules

/** Every localized scrape job is up, with its static namespace/pod labels. */
export function checkTargets(stack: LocalStack): Promise<CheckResult> {
  return timed('scrape targets', async (lines) => {
    const { jobs, skipped, staticLabels } = stack.localized;
    const want = Object.keys(jobs).sort();
    const targets = await stack.prometheus.waitForTargetsUp({ count: want.length, timeoutMs: 30_000 });
    const have = targets.map((t) => t.labels.job).sort();
    let ok = JSON.stringify(have) === JSON.stringify(want);
    for (const t of targets) {
      const labels = staticLabels[t.labels.job] ?? {};
      const missing = Object.entries(labels).filter(([k, v]) => t.labels[k] !== v);
      if (missing.length) ok = false;
      lines.push(
        `${t.health === 'up' && !missing.length ? 'ok  ' : 'FAIL'} ${t.labels.job.padEnd(18)} ${t.scrapeUrl}  ` +
          Object.keys(labels).map((k) => `${k}=${t.labels[k] ?? '(missing)'}`).join(' '),
      );
    }
    for (const [job, why] of Object.entries(skipped)) lines.push(`skip ${job.padEnd(18)} ${why}`);
    if (!ok) lines.push(`expected jobs ${want.join(', ')}; Prometheus has ${have.join(', ')}`);
    return ok;
  });
}

/** Every generated rule loads and evaluates without error against the real series. */
export function checkRules(stack: LocalStack): Promise<CheckResult> {
  return timed('rules evaluate', async (lines) => {
    const groups = await waitUntil(
      async () => {
        const g = await stack.prometheus.rules();
        return g.length > 0 && g.every((x) => x.rules.every((r) => r.health !== 'unknown')) ? g : false;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'every rule to be evaluated once' },
    );
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    const bad = rules.filter((r) => r.health !== 'ok');
    const files = new Set(groups.map((g) => g.file.split('/').pop()));
    lines.push(`${groups.length} groups from ${[...files].sort().join(', ')}; ${rules.length} rules; ${bad.length} with errors`);
    for (const r of bad) lines.push(`FAIL ${r.group} ${r.name}: ${r.health} ${r.lastError ?? ''}`);
    const missingFiles = Object.keys(stack.rules).filter((f) => !files.has(f));
    for (const f of missingFiles) lines.push(`FAIL rule file ${f} has no group loaded`);
    return bad.length === 0 && missingFiles.length === 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Dashboards

interface PanelWithRow {
  readonly panel: Json;
  readonly row?: string;
}

/**
 * Every panel with the title of the row it belongs to: nested in a collapsed row, or following an
 * expanded row at the top level (Grafana's two layouts), or in a pre-5.0 `rows` entry.
 */
function panelsWithRows(dashboard: DashboardJson): PanelWithRow[] {
  const out: PanelWithRow[] = [];
  const add = (panel: Json, row: string | undefined) => {
    out.push({ panel, row });
    if (Array.isArray(panel.panels)) for (const n of panel.panels) if (isMap(n)) add(n, row);
  };
  let current: string | undefined;
  for (const p of Array.isArray(dashboard.panels) ? dashboard.panels : []) {
    if (!isMap(p)) continue;
    if (p.type === 'row') {
      current = typeof p.title === 'string' ? p.title : '';
      out.push({ panel: p, row: current });
      for (const n of Array.isArray(p.panels) ? p.panels : []) if (isMap(n)) add(n, current);
      continue;
    }
    add(p, current);
  }
  for (const row of Array.isArray(dashboard.rows) ? dashboard.rows : []) {
    if (!isMap(row)) continue;
    const title = typeof row.title === 'string' ? row.title : '';
    for (const n of Array.isArray(row.panels) ? row.panels : []) if (isMap(n)) add(n, title);
  }
  return out;
}

interface QueryItem {
  readonly dashboard: string;
  readonly row?: string;
  readonly query: PanelQuery;
  readonly promql: string;
  readonly cadvisor: boolean;
  readonly kubelet: boolean;
}

interface VariableItem {
  readonly dashboard: string;
  readonly name: string;
  readonly definition: string;
  /** `group by (label) (selector)`, or undefined for a cAdvisor-only variable. */
  readonly promql?: string;
  readonly label: string;
  readonly metrics: string[];
  readonly problem?: string;
}

/** The PromQL queries of every panel of every dashboard, tagged with their row. */
export function dashboardQueries(root: string): QueryItem[] {
  const items: QueryItem[] = [];
  for (const file of loadDashboards(join(root, 'dashboards'))) {
    let count = 0;
    for (const { panel, row } of panelsWithRows(file.json)) {
      const alone: Json = { ...panel };
      delete alone.panels;
      const queries = panelQueries({ templating: file.json.templating, panels: [alone] });
      count += queries.length;
      for (const q of queries) {
        items.push({
          dashboard: file.fileName,
          row,
          query: q,
          promql: substituteGrafanaMacros(q.expr, VARIABLE_REGEX),
          cadvisor: row === CADVISOR_ROW,
          kubelet: row === KUBELET_ROW,
        });
      }
    }
    // The row walk above must see exactly the queries panelQueries() sees.
    const all = panelQueries(file.json).length;
    if (count !== all) throw new Error(`${file.fileName}: found ${count} panel queries by row, but panelQueries() has ${all}`);
  }
  return items;
}

/** The `label_values(...)` query variables of every dashboard. */
function dashboardVariables(root: string, cadvisor: Map<string, string>): VariableItem[] {
  const out: VariableItem[] = [];
  for (const file of loadDashboards(join(root, 'dashboards'))) {
    const list = isMap(file.json.templating) && Array.isArray(file.json.templating.list) ? file.json.templating.list : [];
    for (const v of list) {
      if (!isMap(v) || v.type !== 'query') continue;
      const definition = typeof v.query === 'string' ? v.query : isMap(v.query) && typeof v.query.query === 'string' ? v.query.query : '';
      const name = String(v.name);
      const m = /^\s*label_values\(\s*([\s\S]*?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(definition);
      if (!m) {
        out.push({ dashboard: file.fileName, name, definition, label: '', metrics: [], problem: 'not a label_values(selector, label) query; cannot check it' });
        continue;
      }
      const selector = substituteGrafanaMacros(m[1], VARIABLE_REGEX);
      const label = m[2];
      const metrics = selectedMetricNames(selector);
      const isCadvisor = metrics.length > 0 && metrics.every((n) => cadvisor.has(n));
      out.push({
        dashboard: file.fileName,
        name,
        definition,
        label,
        metrics,
        promql: isCadvisor ? undefined : `group by (${label}) (${selector})`,
      });
    }
  }
  return out;
}

/**
 * Every panel query of every dashboard returns at least one series with a finite value from the real
 * Prometheus (bounded poll until all do or `timeoutMs` passes). Panels of the cAdvisor row: every
 * metric they select is in the recorded cAdvisor list and not in a disabled group. Query variables
 * (`label_values`) must have at least one value, so Grafana's dropdowns are not empty.
 */
export function checkPanels(stack: LocalStack, timeoutMs = 45_000): Promise<CheckResult & { withData: number; live: number; cadvisor: number; kubelet: number }> {
  const counts = { withData: 0, live: 0, cadvisor: 0, kubelet: 0 };
  return timed('dashboard panels', async (lines) => {
    const cadvisor = loadCadvisorMetrics();
    const items = dashboardQueries(stack.root);
    const variables = dashboardVariables(stack.root, cadvisor);
    const kubelet = loadKubeletMetrics();
    const live = items.filter((i) => !i.cadvisor && !i.kubelet);
    counts.live = live.length;
    counts.cadvisor = items.filter((i) => i.cadvisor).length;
    counts.kubelet = items.filter((i) => i.kubelet).length;

    // Bounded poll: query everything still without data, once a second.
    const results = new Map<string, Sample[]>();
    const errors = new Map<string, string>();
    const pending = new Set<string>([...live.map((i) => i.promql), ...variables.flatMap((v) => (v.promql ? [v.promql] : []))]);
    const deadline = Date.now() + timeoutMs;
    const maxRounds = Math.ceil(timeoutMs / 1000) + 1;
    for (let round = 0; round < maxRounds && pending.size > 0; round++) {
      await Promise.all(
        [...pending].map(async (q) => {
          try {
            const r = await stack.prometheus.query(q);
            errors.delete(q);
            results.set(q, r);
            if (finite(r).length > 0) pending.delete(q);
          } catch (e) {
            errors.set(q, (e as Error).message);
          }
        }),
      );
      if (pending.size === 0 || Date.now() >= deadline) break;
      await sleep(1000);
    }

    let ok = true;
    let dash = '';
    for (const i of items) {
      if (i.dashboard !== dash) {
        dash = i.dashboard;
        lines.push(`${dash}`);
      }
      const where = `${i.row ? `${i.row} › ` : ''}${i.query.panelTitle} › ${i.query.refId}`;
      if (i.cadvisor) {
        const names = selectedMetricNames(i.query.expr);
        const problems = names.map((n) => cadvisorProblem(n, cadvisor)).filter((p): p is string => p !== undefined);
        if (names.length === 0) problems.push('selects no metric by name');
        if (problems.length) ok = false;
        lines.push(`  ${problems.length ? 'FAIL   ' : 'listed '} ${where}: ${problems.length ? problems.join('; ') : `${names.join(', ')} in cAdvisor's metric list (not run here)`}`);
        continue;
      }
      if (i.kubelet) {
        const names = selectedMetricNames(i.query.expr);
        const problems = names.filter((n) => !kubelet.has(n)).map((n) => `${n} is not a kubelet volume statistic (facts/kubelet-unknown.json)`);
        if (names.length === 0) problems.push('selects no metric by name');
        if (problems.length) ok = false;
        lines.push(`  ${problems.length ? 'FAIL   ' : 'listed '} ${where}: ${problems.length ? problems.join('; ') : `${names.join(', ')} in the kubelet facts (not run here)`}`);
        continue;
      }
      const r = finite(results.get(i.promql) ?? []);
      if (r.length > 0) {
        counts.withData++;
        lines.push(`  data    ${where}: ${r.length} series, e.g. ${fmt(r[0].value)}`);
      } else {
        ok = false;
        const raw = results.get(i.promql);
        const why = errors.get(i.promql) ?? (raw && raw.length ? `${raw.length} series, none finite (${raw[0].value})` : 'empty result');
        lines.push(`  NO DATA ${where}: ${why}`);
        lines.push(`          query: ${i.promql}`);
      }
    }
    lines.push('template variables');
    for (const v of variables) {
      if (v.problem) {
        ok = false;
        lines.push(`  FAIL    ${v.dashboard} $${v.name}: ${v.problem} (${v.definition})`);
      } else if (!v.promql) {
        const problems = v.metrics.map((n) => cadvisorProblem(n, cadvisor)).filter((p): p is string => p !== undefined);
        if (problems.length) ok = false;
        lines.push(`  ${problems.length ? 'FAIL   ' : 'listed '} ${v.dashboard} $${v.name}: ${problems.length ? problems.join('; ') : `${v.metrics.join(', ')} in cAdvisor's metric list (not run here)`}`);
      } else {
        const values = [...new Set(finite(results.get(v.promql) ?? []).map((s) => s.metric[v.label]).filter((x) => x))];
        if (!values.length) ok = false;
        lines.push(`  ${values.length ? 'values ' : 'EMPTY  '} ${v.dashboard} $${v.name}: ${values.length ? values.join(', ') : errors.get(v.promql) ?? 'no values'}`);
      }
    }
    lines.push(
      `panels with data: ${counts.withData}/${counts.live} (+${counts.cadvisor} cAdvisor and ${counts.kubelet} kubelet panel queries checked against the recorded metric lists); ` +
        `variables $…→${VARIABLE_REGEX}, $__rate_interval→5m`,
    );
    return ok && counts.withData === counts.live;
  }).then((r) => ({ ...r, ...counts }));
}

// ---------------------------------------------------------------------------------------------
// Alerts

interface AlertRuleInfo {
  readonly expr: string;
  readonly threshold: number;
  readonly localFor: string;
}

/**
 * The alert's expression in the loaded rules and its threshold: the first `> N` of the expression
 * (guards such as HighErrorRate's minimum traffic follow it).
 */
function alertRule(stack: LocalStack, alert: string): AlertRuleInfo {
  for (const text of Object.values(stack.rules)) {
    const doc = YAML.parse(text) as { groups?: { rules?: { alert?: string; expr?: string }[] }[] } | null;
    const rule = (doc?.groups ?? []).flatMap((g) => g.rules ?? []).find((r) => r.alert === alert);
    if (rule?.expr !== undefined) {
      const expr = String(rule.expr).trim();
      const t = /> *([0-9.eE+-]+)/.exec(expr);
      return { expr, threshold: t ? Number(t[1]) : NaN, localFor: LOCAL_FOR[alert] ?? '(generated)' };
    }
  }
  throw new Error(`alert ${alert} not found in the loaded rule files`);
}

function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`cannot read duration ${d}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const RATIO = `${API_RECORDS.errorRatio}{job="${API_JOB}"}`;

/**
 * At LOW_ERROR_FRACTION (2 %) 5xx, the generated error-ratio record is above 0 and below the 5 %
 * threshold, and HighErrorRate is never pending or firing while we watch for longer than its
 * (local) `for:` plus a few evaluations.
 */
export function checkHighErrorRateQuiet(stack: LocalStack): Promise<CheckResult> {
  return timed(`HighErrorRate stays quiet at ${LOW_ERROR_FRACTION * 100}% 5xx`, async (lines) => {
    const rule = alertRule(stack, 'HighErrorRate');
    lines.push(`expr: ${rule.expr}  (for: ${rule.localFor} locally)`);
    if (!(LOW_ERROR_FRACTION < rule.threshold)) throw new Error(`threshold ${rule.threshold} is not above ${LOW_ERROR_FRACTION}`);
    stack.api.setErrorFraction(LOW_ERROR_FRACTION);
    // Errors are being counted: the ratio is present and above 0.
    await stack.prometheus.waitFor(RATIO, (s) => s.length > 0 && s.every((x) => x.value > 0), 30_000);
    const watchMs = durationMs(rule.localFor) + 4 * durationMs(LOCAL_INTERVAL);
    const deadline = Date.now() + watchMs;
    const seen: number[] = [];
    const alerted: string[] = [];
    for (let i = 0; i < Math.ceil(watchMs / 500) + 2 && Date.now() < deadline; i++) {
      const [ratio, alerts] = await Promise.all([stack.prometheus.query(RATIO), stack.prometheus.alerts()]);
      seen.push(...finite(ratio).map((s) => s.value));
      for (const a of alerts) if (a.labels.alertname === 'HighErrorRate') alerted.push(`${a.state} (value ${a.value})`);
      await sleep(500);
    }
    const history = await stack.prometheus.query(`count_over_time(ALERTS{alertname="HighErrorRate"}[${Math.ceil(watchMs / 1000)}s])`);
    const min = Math.min(...seen);
    const max = Math.max(...seen);
    lines.push(`${RATIO} over ${seconds(watchMs)}: ${fmt(min)} … ${fmt(max)} (threshold ${rule.threshold}, ${seen.length} samples)`);
    lines.push(`HighErrorRate pending/firing while watched: ${alerted.length || history.length ? `YES: ${alerted.slice(0, 3).join(', ')}` : 'never'}`);
    return seen.length > 0 && min > 0 && max < rule.threshold && alerted.length === 0 && history.length === 0;
  });
}

/** At HIGH_ERROR_FRACTION (10 %) 5xx, HighErrorRate goes pending, then firing, and reaches the webhook. */
export function checkHighErrorRateFires(stack: LocalStack): Promise<CheckResult> {
  return timed(`HighErrorRate fires at ${HIGH_ERROR_FRACTION * 100}% 5xx`, async (lines) => {
    const rule = alertRule(stack, 'HighErrorRate');
    if (!(HIGH_ERROR_FRACTION > rule.threshold)) throw new Error(`threshold ${rule.threshold} is not below ${HIGH_ERROR_FRACTION}`);
    const t = Date.now();
    stack.api.setErrorFraction(HIGH_ERROR_FRACTION);
    let pendingAt: number | undefined;
    const firing = await waitUntil(
      async () => {
        const a = (await stack.prometheus.alerts()).find((x) => x.labels.alertname === 'HighErrorRate' && x.labels.job === API_JOB);
        if (a?.state === 'pending' && pendingAt === undefined) pendingAt = Date.now() - t;
        return a?.state === 'firing' ? a : false;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'HighErrorRate to fire in Prometheus' },
    );
    const firingAt = Date.now() - t;
    // The 5m rate window still holds the 2 % phase, so the ratio climbs gradually past 5 %.
    lines.push(`pending after ${pendingAt === undefined ? '(not seen)' : seconds(pendingAt)}, firing after ${seconds(firingAt)} (for: ${rule.localFor} locally)`);
    lines.push(`firing alert: value ${fmt(Number(firing.value))}, labels ${JSON.stringify(firing.labels)}`);
    const hook = await stack.webhook.waitForAlert('HighErrorRate', 'firing', 30_000);
    lines.push(`webhook received HighErrorRate firing after ${seconds(Date.now() - t)} (severity ${hook.labels.severity})`);
    return Number(firing.value) > rule.threshold && firing.labels.namespace !== undefined;
  });
}

/** Waits (harness waitForAlert, then a short poll) for a webhook alert that also matches `pred`. */
async function waitForWebhookAlert(
  webhook: WebhookHandle,
  name: string,
  status: 'firing' | 'resolved',
  pred: (a: WebhookAlert) => boolean,
  timeoutMs: number,
): Promise<WebhookAlert> {
  const t = Date.now();
  await webhook.waitForAlert(name, status, timeoutMs);
  return waitUntil(
    () => webhook.alerts().find((a) => a.labels.alertname === name && a.status === status && pred(a)),
    { timeoutMs: Math.max(1000, timeoutMs - (Date.now() - t)), intervalMs: 200, what: `webhook alert ${name} ${status} matching the job` },
  );
}

/**
 * Stopping an exporter makes InstanceDown reach the webhook through Alertmanager; restarting it on the
 * same port resolves it.
 */
export function checkInstanceDown(stack: LocalStack): Promise<CheckResult> {
  return timed(`InstanceDown when ${STOPPED_JOB} stops, resolved when it is back`, async (lines) => {
    const rule = alertRule(stack, 'InstanceDown');
    const address = stack.localized.jobs[STOPPED_JOB];
    const isOurs = (a: WebhookAlert) => a.labels.job === STOPPED_JOB && a.labels.instance === address;
    lines.push(`expr: ${rule.expr}  (for: ${rule.localFor} locally)`);
    await stack.prometheus.waitFor(`up{job="${STOPPED_JOB}"} == 1`, (s) => s.length === 1, 15_000);

    const t = Date.now();
    await stack.stopRedisExporter();
    lines.push(`stopped ${STOPPED_JOB} (${address})`);
    const firing = await waitForWebhookAlert(stack.webhook, 'InstanceDown', 'firing', isOurs, 45_000);
    const firedMs = Date.now() - t;
    lines.push(
      `webhook: InstanceDown firing after ${seconds(firedMs)} — job=${firing.labels.job} instance=${firing.labels.instance} ` +
        `namespace=${firing.labels.namespace} severity=${firing.labels.severity}`,
    );
    lines.push(`  summary: ${firing.annotations.summary}`);

    const t2 = Date.now();
    await stack.restartRedisExporter();
    lines.push(`restarted ${STOPPED_JOB} on the same port`);
    const resolved = await waitForWebhookAlert(stack.webhook, 'InstanceDown', 'resolved', isOurs, 45_000);
    lines.push(`webhook: InstanceDown resolved after ${seconds(Date.now() - t2)} (endsAt ${resolved.endsAt})`);
    await stack.prometheus.waitFor(`up{job="${STOPPED_JOB}"} == 1`, (s) => s.length === 1, 15_000);
    return firing.labels.severity === 'critical';
  });
}

// ---------------------------------------------------------------------------------------------
// Report

export function formatResult(r: CheckResult): string {
  return [`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${seconds(r.ms)})`, ...r.lines.map((l) => `      ${l}`)].join('\n');
}

/** What the local run changes relative to the generated output, and the start-up timings. */
export function formatPreamble(notes: readonly string[], timings: Readonly<Record<string, number>>): string {
  return [
    'Local changes to the generated config and rules (everything else is as synthesized):',
    ...notes.map((n) => `  - ${n}`),
    `Startup (ms): ${Object.entries(timings).map(([k, v]) => `${k}=${v}`).join(', ')}`,
  ].join('\n');
}

export function formatSummary(results: readonly CheckResult[], totalMs: number): string {
  const failed = results.filter((r) => !r.ok);
  return (
    `${failed.length === 0 ? `ALL ${results.length} CHECKS PASSED` : `${failed.length} of ${results.length} CHECK(S) FAILED: ${failed.map((r) => r.name).join('; ')}`}` +
    ` — total run time ${seconds(totalMs)}`
  );
}

export function formatReport(opts: { notes: readonly string[]; timings: Readonly<Record<string, number>>; results: readonly CheckResult[]; totalMs: number }): string {
  return [formatPreamble(opts.notes, opts.timings), '', ...opts.results.map(formatResult), '', formatSummary(opts.results, opts.totalMs)].join('\n');
}

/** All checks, in the order they must run (the HighErrorRate checks share the 5m rate window: low first). */
export async function runAllChecks(stack: LocalStack, onResult: (r: CheckResult) => void = () => undefined): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of [checkTargets, checkRules, checkPanels, checkHighErrorRateQuiet, checkHighErrorRateFires, checkInstanceDown]) {
    const r = await check(stack);
    results.push(r);
    onResult(r);
  }
  return results;
}

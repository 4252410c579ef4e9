import { NODE_NETWORK_RECORDS } from '../lib/content/node-network';
import type { LRParser } from '@lezer/lr';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { DASHBOARD_SOURCES, renderDashboard } from '../dashboards/src';
import { CONTAINERS_ROW_TITLE } from '../dashboards/src/system';
import { API_RECORDS } from '../lib/content/api-rules';
import { DashboardFile, DashboardJson, loadDashboards, panelQueries, validateDashboards } from '../lib/content/dashboards';
import { substituteGrafanaMacros } from '../lib/content/promql';
import { cadvisorMetricGroups, pinnedFacts, readFacts } from './support/facts';
import { pinnedBinaries } from './support/pinned';

// CommonJS build of the parser (its typings are ESM-only); see lib/promql.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

const ROOT = join(__dirname, '..');
const DASHBOARDS_DIR = join(ROOT, 'dashboards');
const FIXTURES = join(__dirname, 'fixtures', 'metric-names');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---------------------------------------------------------------------------------------------
// What the dashboards may read
// ---------------------------------------------------------------------------------------------

/** Recording rules the dashboards may use, with the labels each record carries. */
const RECORDING_RULES: Record<string, readonly string[]> = {
  'job:nanoe_api_requests:rate5m': ['job', 'namespace'],
  'job:nanoe_api_requests_5xx:rate5m': ['job', 'namespace'],
  'job:nanoe_api_request_errors:ratio_rate5m': ['job', 'namespace'],
  'job:nanoe_api_request_duration_seconds_bucket:rate5m': ['job', 'namespace', 'le'],
  'job:nanoe_api_request_duration_seconds:p50_rate5m': ['job', 'namespace'],
  'job:nanoe_api_request_duration_seconds:p95_rate5m': ['job', 'namespace'],
  'job:nanoe_api_request_duration_seconds:p99_rate5m': ['job', 'namespace'],
  'instance:node_cpu_utilisation:rate5m': ['instance', 'job'],
  'instance:node_memory_utilisation:ratio': ['instance', 'job'],
  'instance_mountpoint:node_filesystem_usage:ratio': ['instance', 'job', 'mountpoint'],
  'instance_mountpoint:node_filesystem_inodes_usage:ratio': ['instance', 'job', 'mountpoint'],
  'instance:node_network_receive_bytes:rate5m': ['instance', 'job'],
  'instance:node_network_transmit_bytes:rate5m': ['instance', 'job'],
};
const API_RULES = Object.keys(RECORDING_RULES).filter((r) => r.startsWith('job:nanoe_api_'));
const NODE_RULES = Object.keys(RECORDING_RULES).filter((r) => r.startsWith('instance'));

/** Metrics read from the API itself: the process collector of both Go's client_golang and Node's prom-client. */
const API_METRICS = ['process_resident_memory_bytes'];

/** The recorded name list of a pinned exporter (test/fixtures/metric-names, see its README). */
const pinnedNames = (program: string, binary: string): string[] =>
  readFileSync(join(FIXTURES, `${program}-${pinnedBinaries()[binary].version}.names`), 'utf8').split('\n').filter(Boolean);

/** Every name the pinned exporters export: the recorded lists, and cAdvisor's facts read upstream at its tag. */
function knownExporterMetrics(): Set<string> {
  return new Set([
    ...pinnedNames('node_exporter', 'prometheus-node-exporter'),
    ...pinnedNames('postgres_exporter', 'prometheus-postgres-exporter'),
    ...pinnedNames('redis_exporter', 'prometheus-redis-exporter'),
    ...cadvisorMetricGroups(pinnedFacts('cadvisor')).keys(),
    // No kubelet runs here: its volume statistics from facts/kubelet-unknown.json.
    ...(readFacts('facts/kubelet-unknown.json').volumeStatsMetricsEvidence.metrics as { name: string }[]).map((m) => m.name),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}
interface Selector {
  readonly metric: string;
  readonly matchers: Matcher[];
}

/** The vector selectors of a Grafana query: metric name and label matchers, from the parsed PromQL tree. */
function selectors(expr: string): Selector[] {
  const src = substituteGrafanaMacros(expr);
  const out: Selector[] = [];
  parser.parse(src).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      const id = node.getChild('Identifier');
      const matchers: Matcher[] = [];
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (label && op && value) {
          matchers.push({ label: src.slice(label.from, label.to), op: src.slice(op.from, op.to), value: JSON.parse(src.slice(value.from, value.to)) });
        }
      }
      out.push({ metric: id ? src.slice(id.from, id.to) : '', matchers });
      return false;
    },
  });
  return out;
}

/** Panels of a dashboard, with the title of the row they are nested in. */
function panelsOf(dashboard: Json): { panel: Json; row?: string }[] {
  const out: { panel: Json; row?: string }[] = [];
  for (const p of dashboard.panels ?? []) {
    if (p.type === 'row') for (const nested of p.panels ?? []) out.push({ panel: nested, row: p.title });
    else out.push({ panel: p });
  }
  return out;
}

function rowsOf(dashboard: Json): Json[] {
  return (dashboard.panels ?? []).filter((p: Json) => p.type === 'row');
}

function exprsOf(panels: { panel: Json }[]): string[] {
  return panels.flatMap(({ panel }) => (panel.targets ?? []).map((t: Json) => t.expr as string));
}

function metricsOf(exprs: string[]): Set<string> {
  return new Set(exprs.flatMap((e) => selectors(e).map((s) => s.metric)));
}

const committed: { file: string; json: Json }[] = DASHBOARD_SOURCES.map((s) => ({
  file: s.file,
  json: JSON.parse(readFileSync(join(DASHBOARDS_DIR, s.file), 'utf8')),
}));
const byFile = (file: string): Json => committed.find((c) => c.file === file)!.json;

/** A DashboardFile as loadDashboards would return it, for a dashboard built in memory. */
function fileOf(fileName: string, json: DashboardJson): DashboardFile {
  return {
    fileName,
    name: fileName.replace(/\.json$/, ''),
    path: join(DASHBOARDS_DIR, fileName),
    json,
    uid: typeof json.uid === 'string' ? json.uid : '',
    title: typeof json.title === 'string' ? json.title : '',
    text: JSON.stringify(json),
  };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('generated files', () => {
  it.each(DASHBOARD_SOURCES.map((s) => [s.file, s] as const))('dashboards/%s is what dashboards/src builds', (file, source) => {
    const hint = `dashboards/${file} is stale: run \`npm run dashboards\` and commit the result`;
    const expectedText = renderDashboard(source.build());
    const actualText = readFileSync(join(DASHBOARDS_DIR, file), 'utf8');
    try {
      expect(JSON.parse(actualText)).toEqual(JSON.parse(expectedText));
    } catch (error) {
      throw new Error(`${hint}\n\n${(error as Error).message}`);
    }
    if (actualText !== expectedText) throw new Error(`${hint} (same content, different formatting or key order)`);
  });

  it('building twice gives the same output (no shared mutable builder state)', () => {
    for (const s of DASHBOARD_SOURCES) expect(renderDashboard(s.build())).toBe(renderDashboard(s.build()));
  });

  it('each dashboard is far below the ConfigMap and kubectl-apply annotation limits', () => {
    for (const s of DASHBOARD_SOURCES) expect(Buffer.byteLength(readFileSync(join(DASHBOARDS_DIR, s.file)))).toBeLessThan(100_000);
  });
});

describe.each([
  ['api.json', 'nanoe-api', ['namespace']],
  ['system.json', 'nanoe-system', ['instance', 'namespace']],
  ['postgresql.json', 'nanoe-postgresql', ['instance', 'datname']],
  ['redis.json', 'nanoe-redis', ['instance']],
] as const)('%s', (file, uid, variableNames) => {
  const dashboard = byFile(file);
  const variables: Json[] = dashboard.templating.list;
  const panels = panelsOf(dashboard);
  const knownUnits = new Set<string>(Object.values(units as Record<string, unknown>).filter((v): v is string => typeof v === 'string'));

  it('has the fixed uid, the nanoe tag, 30 s refresh and the last 6 hours', () => {
    expect(dashboard.uid).toBe(uid);
    expect(dashboard.tags).toEqual(['nanoe']);
    expect(dashboard.refresh).toBe('30s');
    expect(dashboard.time).toEqual({ from: 'now-6h', to: 'now' });
    expect(dashboard.title).toMatch(/^Nanoe /);
    expect(dashboard.annotations.list).toEqual([expect.objectContaining({ builtIn: 1, type: 'dashboard' })]);
  });

  it('has a datasource variable for Prometheus and label_values query variables', () => {
    expect(variables[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const queryVariables = variables.filter((v) => v.type === 'query');
    expect(queryVariables.map((v) => v.name)).toEqual(variableNames);
    for (const v of queryVariables) {
      expect(v.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(v.query).toMatch(new RegExp(`^label_values\\([a-z0-9_:]+(\\{.*\\})?, ${v.name}\\)$`));
      if (v.multi) expect(v).toMatchObject({ includeAll: true, allValue: '.*' });
    }
  });

  it('every panel has a title, a one-line description, a known unit and a unique id', () => {
    const ids = (dashboard.panels as Json[]).flatMap((p) => [p.id, ...(p.panels ?? []).map((n: Json) => n.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    const titles = panels.map(({ panel }) => panel.title);
    expect(new Set(titles).size).toBe(titles.length);
    for (const { panel } of panels) {
      expect(panel.title).toMatch(/\S/);
      expect(panel.description).toMatch(/^\S.*\S$/);
      expect(panel.description).not.toMatch(/\n/);
      expect(panel.fieldConfig.defaults.unit).toMatch(/\S/);
      expect(knownUnits).toContain(panel.fieldConfig.defaults.unit);
    }
  });

  it('every panel shows its legend', () => {
    for (const { panel } of panels) {
      if (panel.type === 'timeseries') expect(panel.options.legend).toMatchObject({ showLegend: true, displayMode: expect.not.stringMatching(/^hidden$/) });
      else if (panel.type === 'heatmap') expect(panel.options.legend).toEqual({ show: true });
      else expect(['stat', 'gauge']).toContain(panel.type); // single values: no legend to show
    }
  });

  it('every panel and target uses the datasource variable and has a refId', () => {
    for (const { panel } of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      const refIds = panel.targets.map((t: Json) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of panel.targets) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(t.refId).toMatch(/^[A-Z]$/);
        expect(t.expr).toMatch(/\S/);
      }
    }
  });

  it('every query is filtered by a template variable and raw ranges use $__rate_interval', () => {
    for (const expr of exprsOf(panels)) {
      expect(variableNames.some((v) => expr.includes(`"$${v}"`))).toBe(true);
      for (const [, range] of expr.matchAll(/\[([^\]]*)\]/g)) expect(range).toBe('$__rate_interval');
    }
  });

  it('every metric is exported by a real exporter, a shipped recording rule or the API', () => {
    const known = knownExporterMetrics();
    for (const expr of exprsOf(panels)) {
      for (const s of selectors(expr)) {
        const ok = known.has(s.metric) || s.metric in RECORDING_RULES || API_METRICS.includes(s.metric);
        if (!ok) throw new Error(`${file}: "${s.metric}" in ${expr} is not a known exporter metric, recording rule or API metric`);
        // Recording rules carry only the labels they aggregate by: matching on another label finds nothing.
        for (const m of s.metric in RECORDING_RULES ? s.matchers : []) expect(RECORDING_RULES[s.metric]).toContain(m.label);
      }
    }
  });
});

describe('content', () => {
  it('fixtures: a recorded list for each pinned exporter release, and no other', () => {
    const want = ['node_exporter', 'postgres_exporter', 'redis_exporter'].map((p, i) => `${p}-${pinnedBinaries()[['prometheus-node-exporter', 'prometheus-postgres-exporter', 'prometheus-redis-exporter'][i]].version}.names`);
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.names')).sort()).toEqual(want.sort());
  });

  it('fixtures: the known-name lists are present and plausible', () => {
    const known = knownExporterMetrics();
    expect(known.size).toBeGreaterThan(700);
    for (const m of ['node_cpu_seconds_total', 'pg_up', 'redis_up', 'container_cpu_usage_seconds_total']) expect(known).toContain(m);
  });

  it('API metrics: both client libraries export process_resident_memory_bytes', () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const nodeNames = registry.getMetricsAsArray().map((m) => m.name);
    registry.clear();
    const goNames = pinnedNames('node_exporter', 'prometheus-node-exporter'); // a Go binary's process collector
    for (const m of API_METRICS) {
      expect(nodeNames).toContain(m);
      expect(goNames).toContain(m);
    }
  });

  it('the recording rules the dashboards use are the ones shipped in rules/, lib/content/api-rules.ts and lib/content/node-network.ts', () => {
    const shipped = new Set<string>([...Object.values(API_RECORDS), ...Object.values(NODE_NETWORK_RECORDS)]);
    for (const f of readdirSync(join(ROOT, 'rules')).filter((x) => /\.ya?ml$/.test(x))) {
      const doc = parseYaml(readFileSync(join(ROOT, 'rules', f), 'utf8')) as Json;
      for (const g of doc?.groups ?? []) for (const r of g.rules ?? []) if (r.record) shipped.add(r.record);
    }
    const used = metricsOf(committed.flatMap((c) => exprsOf(panelsOf(c.json))));
    for (const rule of Object.keys(RECORDING_RULES)) expect(shipped).toContain(rule);
    for (const m of used) if (m.includes(':')) expect(shipped).toContain(m);
  });

  it('API: rate, latency and errors come only from the recording rules; memory from the API job', () => {
    const exprs = exprsOf(panelsOf(byFile('api.json')));
    const metrics = metricsOf(exprs);
    expect([...metrics].sort()).toEqual([...API_RULES, ...API_METRICS].sort());
    for (const e of exprs.filter((x) => x.includes('process_resident_memory_bytes'))) expect(e).toContain('job="nanoe-api"');
    // The error ratio record is 0 (not absent) while there is traffic without errors.
    expect(exprs.some((e) => e.includes('job:nanoe_api_request_errors:ratio_rate5m'))).toBe(true);
  });

  it('System: node panels read only the node rules, the cAdvisor row only real containers', () => {
    const dashboard = byFile('system.json');
    expect(rowsOf(dashboard).map((r) => r.title)).toEqual([CONTAINERS_ROW_TITLE, 'Volumes (kubelet)']);
    const volumes = panelsOf(dashboard).filter((p) => p.row === 'Volumes (kubelet)');
    expect([...metricsOf(exprsOf(volumes))].sort()).toEqual(['kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_capacity_bytes']);
    for (const expr of exprsOf(volumes)) for (const s of selectors(expr)) expect(s.matchers).toContainEqual({ label: 'job', op: '=', value: 'kubelet' });
    expect(CONTAINERS_ROW_TITLE).toBe('Containers (cAdvisor)');
    const all = panelsOf(dashboard);
    const nodes = all.filter((p) => p.row === undefined);
    const containers = all.filter((p) => p.row === CONTAINERS_ROW_TITLE);
    expect([...metricsOf(exprsOf(nodes))].sort()).toEqual([...NODE_RULES].sort());
    expect([...metricsOf(exprsOf(containers))].sort()).toEqual(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']);
    for (const expr of exprsOf(containers)) {
      expect(expr).toMatch(/^sum by \(namespace, pod, container\) /);
      for (const s of selectors(expr)) {
        expect(s.matchers).toEqual(expect.arrayContaining([{ label: 'container', op: '!=', value: '' }, { label: 'image', op: '!=', value: '' }]));
      }
    }
  });

  it('PostgreSQL: connections and max_connections, row operations, longest transaction, deadlocks, cache hit ratio, size and up', () => {
    const exprs = exprsOf(panelsOf(byFile('postgresql.json')));
    expect([...metricsOf(exprs)].sort()).toEqual([
      'pg_database_size_bytes',
      'pg_settings_max_connections',
      'pg_stat_activity_count',
      'pg_stat_activity_max_tx_duration',
      'pg_stat_database_blks_hit',
      'pg_stat_database_blks_read',
      'pg_stat_database_deadlocks',
      'pg_stat_database_tup_deleted',
      'pg_stat_database_tup_fetched',
      'pg_stat_database_tup_inserted',
      'pg_stat_database_tup_updated',
      'pg_up',
    ]);
    for (const expr of exprs) {
      for (const s of selectors(expr)) {
        if (s.metric.startsWith('pg_stat_database_')) expect(s.matchers).toContainEqual({ label: 'datname', op: '!~', value: 'template.*|' });
        // Activity per database is of state "active"; the one server-wide sum (all states) is compared with max_connections.
        if (s.metric === 'pg_stat_activity_count' && !expr.startsWith('sum(pg_stat_activity_count{instance=~"$instance"})')) {
          expect(s.matchers).toContainEqual({ label: 'state', op: '=', value: 'active' });
        }
      }
      // Labels differ across exporter versions: anything but pg_up is aggregated.
      if (!expr.startsWith('pg_up')) expect(expr).toMatch(/^(sum|max)( by \(datname\) )?\(/);
    }
  });

  it('Redis: clients, commands, memory (max only where set), keys, guarded hit ratio, up', () => {
    const exprs = exprsOf(panelsOf(byFile('redis.json')));
    expect([...metricsOf(exprs)].sort()).toEqual([
      'redis_commands_processed_total',
      'redis_connected_clients',
      'redis_db_keys',
      'redis_evicted_keys_total',
      'redis_keyspace_hits_total',
      'redis_keyspace_misses_total',
      'redis_memory_max_bytes',
      'redis_memory_used_bytes',
      'redis_rejected_connections_total',
      'redis_up',
    ]);
    expect(exprs).toContain('redis_memory_max_bytes{instance=~"$instance"} > 0');
    expect(exprs).toContain('sum(redis_db_keys{instance=~"$instance"})');
    // No fake 0 % while idle: the denominator is filtered (`> 0`), never clamped.
    for (const e of exprs.filter((x) => x.includes('redis_keyspace_misses_total'))) expect(e).toMatch(/ \/ \(.* > 0\)$/);
    for (const e of exprs) expect(e).not.toContain('clamp_min');
  });
});

describe('lib/content/dashboards', () => {
  it('loads the committed dashboards, and they validate', () => {
    const files = loadDashboards(DASHBOARDS_DIR);
    expect(files.map((f) => f.fileName)).toEqual(expect.arrayContaining(DASHBOARD_SOURCES.map((s) => s.file)));
    const api = files.find((f) => f.fileName === 'api.json')!;
    expect(api).toMatchObject({ name: 'api', uid: 'nanoe-api', title: 'Nanoe API' });
    expect(api.text).toBe(readFileSync(join(DASHBOARDS_DIR, 'api.json'), 'utf8'));
    expect(() => validateDashboards(files)).not.toThrow();
  });

  it('panelQueries walks rows and returns every target', () => {
    const system = byFile('system.json');
    const queries = panelQueries(system);
    expect(queries).toHaveLength(exprsOf(panelsOf(system)).length);
    expect(queries).toContainEqual(expect.objectContaining({ panelTitle: 'Container memory usage', refId: 'A' }));
    expect(queries).toContainEqual(expect.objectContaining({ panelTitle: 'Network traffic', refId: 'B', expr: expect.stringContaining('transmit') }));
  });

  it('panelQueries skips targets of other datasources and resolves datasource variables', () => {
    const dashboard = {
      templating: { list: [{ type: 'datasource', name: 'logs', query: 'loki' }, { type: 'datasource', name: 'ds', query: 'prometheus' }] },
      panels: [
        { title: 'loki', datasource: { type: 'loki', uid: 'l' }, targets: [{ refId: 'A', expr: '{app="x"} |= "error"' }] },
        { title: 'loki var', datasource: { uid: '${logs}' }, targets: [{ refId: 'A', expr: 'count_over_time({app="x"}[5m])' }] },
        { title: 'prom var', datasource: '$ds', targets: [{ refId: 'A', expr: 'up' }] },
        { title: 'default', targets: [{ expr: 'up' }, { expr: 'up' }] },
        { title: 'mixed', datasource: { type: 'datasource', uid: '-- Mixed --' }, targets: [{ refId: 'A', datasource: { type: 'prometheus', uid: 'p' }, expr: 'up' }, { refId: 'B', datasource: { type: 'loki', uid: 'l' }, expr: '{a="b"}' }] },
        { title: 'text', type: 'text', options: { content: 'hi' } },
        { title: 'testdata', datasource: { type: 'grafana-testdata-datasource', uid: 't' }, targets: [{ refId: 'A', scenarioId: 'random_walk' }] },
      ],
    };
    expect(panelQueries(dashboard)).toEqual([
      { panelTitle: 'prom var', refId: 'A', expr: 'up' },
      { panelTitle: 'default', refId: 'A', expr: 'up' },
      { panelTitle: 'default', refId: 'B', expr: 'up' },
      { panelTitle: 'mixed', refId: 'A', expr: 'up' },
    ]);
  });

  it('rejects a broken expression, naming the file, the panel (also inside a row), the refId and the parser message', () => {
    const broken = JSON.parse(JSON.stringify(byFile('system.json')));
    const row = broken.panels.find((p: Json) => p.type === 'row');
    row.panels[1].targets[0].expr = 'sum by (pod) (container_memory_working_set_bytes{container!=""}';
    expect(() => validateDashboards([fileOf('system.json', broken)])).toThrow(
      /system\.json: panel "Container memory usage" \(id \d+\), query A: syntax error at offset \d+/,
    );
  });

  it('rejects duplicate or missing uids and titles, bad file names and dashboards exported for sharing externally', () => {
    const api = byFile('api.json');
    const check = (files: DashboardFile[]): string => {
      try {
        validateDashboards(files);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(check([fileOf('api.json', api), fileOf('copy.json', { ...api, title: 'Other' })])).toMatch(/copy\.json: uid "nanoe-api" is already used by .*api\.json/);
    expect(check([fileOf('api.json', api), fileOf('copy.json', { ...api, uid: 'other' })])).toMatch(/copy\.json: title "Nanoe API" is already used/);
    expect(check([fileOf('a.json', { ...api, uid: '' })])).toMatch(/a\.json: the dashboard has no "uid"/);
    expect(check([fileOf('a.json', { ...api, uid: 'x'.repeat(41) })])).toMatch(/must be 1–40 letters/);
    expect(check([fileOf('a.json', { ...api, title: ' ' })])).toMatch(/a\.json: the dashboard has no "title"/);
    expect(check([fileOf('My Board.json', api)])).toMatch(/file name must be lowercase/);
    expect(check([fileOf('a.json', { ...api, __inputs: [{ name: 'DS_PROMETHEUS', type: 'datasource' }] })])).toMatch(/\$\{DS_PROMETHEUS\}/);
    expect(check([fileOf('a.json', { dashboard: api, meta: {} })])).toMatch(/Grafana API response/);
  });

  it('loadDashboards reads only *.json files and names a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-'));
    try {
      writeFileSync(join(dir, 'b.json'), '{"uid":"b","title":"B"}');
      writeFileSync(join(dir, 'a.json'), '{"uid":"a","title":"A"}');
      writeFileSync(join(dir, 'notes.md'), '# not a dashboard');
      expect(loadDashboards(dir).map((f) => [f.fileName, f.name, f.uid, f.title])).toEqual([
        ['a.json', 'a', 'a', 'A'],
        ['b.json', 'b', 'b', 'B'],
      ]);
      writeFileSync(join(dir, 'c.json'), '{"uid": "c",');
      expect(() => loadDashboards(dir)).toThrow(/c\.json: not valid JSON/);
      writeFileSync(join(dir, 'c.json'), '[]');
      expect(() => loadDashboards(dir)).toThrow(/c\.json: a dashboard must be a JSON object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The Prometheus rules: promtool checks every rule file and runs every unit test file, and the
 * tests below check what promtool cannot (annotations, runbook anchors, docs, test coverage of
 * every alert, metric names that the real exporters export).
 *
 * Runs the promtool of the pinned Prometheus release (versions.json; fetched by
 * scripts/pinned-binaries.mjs). A missing promtool fails the tests.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LRParser } from '@lezer/lr';
import { parse } from 'yaml';
import {
  API_RECORDS,
  API_RULES_FILE_NAME,
  API_RULES_GROUP_NAME,
  DEFAULT_API_INSTRUMENTATION,
  DEFAULT_API_JOB,
  apiRecordingRules,
  renderApiRulesYaml,
} from '../lib/content/api-rules';
import {
  DEFAULT_RUNBOOK_BASE,
  RuleFile,
  alertingRules,
  loadRuleFiles,
  parseRuleFile,
  recordedMetricNames,
  setRunbookBase,
  validateRuleExpressions,
} from '../lib/content/rules';
import { pinnedBinary } from './support/pinned';
import { NODE_NETWORK_RULES_FILE_NAME, renderNodeNetworkRulesYaml } from '../lib/content/node-network';

// The package's typings are ESM-only; load its CommonJS build (as lib/promql.ts does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

const ROOT = path.join(__dirname, '..');
const RULES_DIR = path.join(ROOT, 'rules');
const TESTS_DIR = path.join(RULES_DIR, 'tests');
const PROMTOOL = pinnedBinary('promtool');

const PROMTOOL_MISSING = `promtool was not found at ${PROMTOOL}: run \`node scripts/pinned-binaries.mjs\` to fetch the pinned release.`;

interface Run {
  status: number | null;
  output: string;
}

function promtool(args: string[], cwd: string): Run {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(PROMTOOL_MISSING);
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Asserts exit code 0, showing promtool's output in the failure message. */
function expectSuccess(run: Run, what: string): void {
  if (run.status !== 0) {
    throw new Error(`${what} exited with ${run.status}:\n${run.output}`);
  }
}

const staticFiles = loadRuleFiles(RULES_DIR);
const apiFile = parseRuleFile(API_RULES_FILE_NAME, renderApiRulesYaml(DEFAULT_API_INSTRUMENTATION, DEFAULT_API_JOB));
const networkFile = parseRuleFile(NODE_NETWORK_RULES_FILE_NAME, renderNodeNetworkRulesYaml());
const allFiles: RuleFile[] = [...staticFiles, apiFile, networkFile];
const testFileNames = fs.readdirSync(TESTS_DIR).filter((n) => n.endsWith('.test.yaml')).sort();
const alerts = alertingRules(staticFiles);

/** Temp dir: copies of rules/*.rules.yaml + the generated API group, and tests/ beside them. */
let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoe-rules-'));
  fs.mkdirSync(path.join(workDir, 'tests'));
  for (const file of allFiles) fs.writeFileSync(path.join(workDir, file.name), file.text);
  for (const name of testFileNames) fs.copyFileSync(path.join(TESTS_DIR, name), path.join(workDir, 'tests', name));
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('promtool', () => {
  test('is installed', () => {
    const run = promtool(['--version'], ROOT);
    expect(run.status).toBe(0);
  });

  test('check rules accepts every rule file, the generated API group included', () => {
    expect(staticFiles.map((f) => f.name).length).toBeGreaterThan(0);
    const run = promtool(['check', 'rules', ...allFiles.map((f) => f.name)], workDir);
    expectSuccess(run, 'promtool check rules');
  });

  test('check rules accepts the API group generated for express-prom-bundle naming', () => {
    const yaml = renderApiRulesYaml(
      { requestsTotalMetric: 'http_request_duration_seconds_count', durationHistogramMetric: 'http_request_duration_seconds', statusCodeLabel: 'status_code' },
      'api',
    );
    fs.writeFileSync(path.join(workDir, 'express.generated.yaml'), yaml);
    expectSuccess(promtool(['check', 'rules', 'express.generated.yaml'], workDir), 'promtool check rules');
  });

  test('there are unit test files', () => {
    expect(testFileNames.length).toBeGreaterThan(0);
  });

  test.each(testFileNames)('test rules %s passes', (name) => {
    const run = promtool(['test', 'rules', path.join('tests', name)], workDir);
    expectSuccess(run, `promtool test rules tests/${name}`);
    expect(run.output).toContain('SUCCESS');
  });
});

describe('API recording group', () => {
  test('has exactly the records dashboards and alerts read, in one group without interval', () => {
    const { groups } = apiRecordingRules(DEFAULT_API_INSTRUMENTATION, 'nanoe-api');
    expect(groups).toHaveLength(1);
    expect(groups[0].name).toBe(API_RULES_GROUP_NAME);
    expect(groups[0]).not.toHaveProperty('interval');
    expect(groups[0].rules.map((r) => r.record)).toEqual([
      'job:nanoe_api_requests:rate5m',
      'job:nanoe_api_requests_5xx:rate5m',
      'job:nanoe_api_request_errors:ratio_rate5m',
      'job:nanoe_api_request_duration_seconds_bucket:rate5m',
      'job:nanoe_api_request_duration_seconds:p50_rate5m',
      'job:nanoe_api_request_duration_seconds:p95_rate5m',
      'job:nanoe_api_request_duration_seconds:p99_rate5m',
    ]);
    expect(Object.values(API_RECORDS)).toEqual(groups[0].rules.map((r) => r.record));
  });

  test('uses the configured metric names, status label and job', () => {
    const { groups } = apiRecordingRules(
      { requestsTotalMetric: 'api_requests_total', durationHistogramMetric: 'api_latency_seconds', statusCodeLabel: 'status_code' },
      'backend "x"',
    );
    const exprs = groups[0].rules.map((r) => r.expr).join('\n');
    expect(exprs).toContain('rate(api_requests_total{job="backend \\"x\\"",status_code=~"5.."}[5m])');
    expect(exprs).toContain('rate(api_latency_seconds_bucket{job="backend \\"x\\""}[5m])');
    expect(exprs).not.toContain('http_');
    expect(exprs).not.toContain(',code=~');
  });

  test('renders deterministic YAML that parses back to the same group', () => {
    const a = renderApiRulesYaml(DEFAULT_API_INSTRUMENTATION, 'nanoe-api');
    expect(renderApiRulesYaml({ ...DEFAULT_API_INSTRUMENTATION }, 'nanoe-api')).toBe(a);
    expect(parse(a)).toEqual(apiRecordingRules(DEFAULT_API_INSTRUMENTATION, 'nanoe-api'));
  });

  test('rejects names that are not Prometheus names', () => {
    expect(() => apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION, requestsTotalMetric: 'http-requests' }, 'nanoe-api')).toThrow(
      /requestsTotalMetric "http-requests"/,
    );
    expect(() =>
      apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION, durationHistogramMetric: 'http_request_duration_seconds_bucket' }, 'nanoe-api'),
    ).toThrow(/without "_bucket"/);
    expect(() => apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION, statusCodeLabel: 'status code' }, 'nanoe-api')).toThrow(/statusCodeLabel/);
  });
});

describe('rule loader', () => {
  test('loads every rules/*.rules.yaml with its text', () => {
    expect(staticFiles.map((f) => f.name)).toEqual(fs.readdirSync(RULES_DIR).filter((n) => n.endsWith('.rules.yaml')).sort());
    for (const file of staticFiles) expect(file.text).toBe(fs.readFileSync(path.join(RULES_DIR, file.name), 'utf8'));
  });

  test('every expression parses as PromQL', () => {
    expect(() => validateRuleExpressions(allFiles)).not.toThrow();
  });

  test('rejects a broken expression, naming file, group and rule', () => {
    const broken = parseRuleFile(
      'broken.rules.yaml',
      'groups:\n  - name: g1\n    rules:\n      - alert: BrokenAlert\n        expr: sum(rate(up[5m]) > 0\n',
    );
    expect(() => validateRuleExpressions([...staticFiles, broken])).toThrow(
      /broken\.rules\.yaml, group "g1", rule "BrokenAlert": invalid PromQL: syntax error/,
    );
  });

  test('rejects what the grammar takes but Prometheus refuses (an unknown escape, a regex RE2 refuses, a wrong type, a function it lacks), naming file, group and rule', () => {
    const file = (expr: string) => parseRuleFile('bad.rules.yaml', `groups:\n  - name: g1\n    rules:\n      - record: r\n        expr: ${JSON.stringify(expr)}\n`);
    expect(() => validateRuleExpressions([file('sum(rate(http_requests_total{status=~"5\\d+"}[5m]))')])).toThrow(
      'rule file bad.rules.yaml, group "g1", rule "r": invalid PromQL: the string at offset 37 has the escape "\\d" in "5\\d+", which PromQL does not know',
    );
    expect(() => validateRuleExpressions([file('up{job=~"(?!api)"} == 0')])).toThrow(
      'rule file bad.rules.yaml, group "g1", rule "r": invalid PromQL: the string at offset 8 has the regex "(?!api)" that has the lookaround "(?!", which RE2 (Prometheus) does not support',
    );
    expect(() => validateRuleExpressions([file('up{job=~"\\\\d+"} == 0')])).not.toThrow();
    // Types, as Prometheus's checkAST: a rate over an instant vector fails the whole rule file at load.
    expect(() => validateRuleExpressions([file('sum(rate(http_requests_total)) > 0')])).toThrow(
      'rule file bad.rules.yaml, group "g1", rule "r": invalid PromQL: at offset 9: expected type matrix in call to function "rate", got vector',
    );
    expect(() => validateRuleExpressions([file('limitk(1, up)')])).toThrow(/invalid PromQL: at offset 0: limitk\(\) is experimental in the pinned Prometheus/);
  });

  test('rejects files that are not rule files', () => {
    expect(() => parseRuleFile('x.rules.yaml', 'groups: {}')).toThrow(/x\.rules\.yaml.*"groups" list/);
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - expr: up\n')).toThrow(
      /group "g", rules\[0\]: must have exactly one of "record" and "alert"/,
    );
    expect(() => parseRuleFile('x.rules.yaml', 'groups: [')).toThrow(/x\.rules\.yaml: invalid YAML/);
  });

  test('recordedMetricNames lists every record, static and generated', () => {
    expect([...recordedMetricNames(allFiles)].sort()).toEqual(
      [
        'instance:node_cpu_utilisation:rate5m',
        'instance:node_memory_utilisation:ratio',
        'instance_mountpoint:node_filesystem_usage:ratio',
        'instance_mountpoint:node_filesystem_inodes_usage:ratio',
        'instance:node_network_receive_bytes:rate5m',
        'instance:node_network_transmit_bytes:rate5m',
        ...Object.values(API_RECORDS),
      ].sort(),
    );
    for (const name of recordedMetricNames(allFiles)) expect(name).toMatch(/^[a-z_]+:[a-zA-Z0-9_]+:[a-z0-9_]+$/);
  });

  test('setRunbookBase points the runbook links elsewhere', () => {
    const moved = setRunbookBase(staticFiles, 'https://wiki.example.com/runbooks/');
    const urls = alertingRules(moved).map((a) => a.rule.annotations?.runbook_url);
    expect(urls).toContain('https://wiki.example.com/runbooks#instancedown');
    expect(urls.every((u) => u?.startsWith('https://wiki.example.com/runbooks#'))).toBe(true);
    const reparsed = moved.map((f) => parseRuleFile(f.name, f.text));
    expect(alertingRules(reparsed).map((a) => a.rule.annotations?.runbook_url)).toEqual(urls);
  });
});

describe('alerts', () => {
  const runbooks = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks.md'), 'utf8');
  const alertsDoc = fs.readFileSync(path.join(ROOT, 'docs', 'alerts.md'), 'utf8');
  /** GitHub heading anchors of runbooks.md. */
  const anchors = new Set(
    [...runbooks.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) =>
      m[1]
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    ),
  );

  test('include the four of the spec, named exactly, with their thresholds', () => {
    const byName = new Map(alerts.map((a) => [a.rule.alert, a.rule]));
    expect(byName.get('HighErrorRate')).toMatchObject({ expr: 'job:nanoe_api_request_errors:ratio_rate5m > 0.05\nand on (job, namespace)\njob:nanoe_api_requests:rate5m >= 0.1', for: '5m', labels: { severity: 'critical' } });
    expect(byName.get('APIHighResponseTime')).toMatchObject({ expr: 'job:nanoe_api_request_duration_seconds:p95_rate5m > 1', for: '5m', labels: { severity: 'warning' } });
    expect(byName.get('InstanceDown')).toMatchObject({ expr: 'up == 0', for: '1m', labels: { severity: 'critical' } });
    expect(byName.get('HighMemoryUsage')).toMatchObject({ expr: 'instance:node_memory_utilisation:ratio > 0.85', for: '5m', labels: { severity: 'warning' } });
    expect(new Set(alerts.map((a) => a.rule.alert)).size).toBe(alerts.length);
  });

  test.each(alerts.map((a) => [a.rule.alert, a] as const))('%s has for, severity, summary, description with the value, runbook_url', (name, { rule }) => {
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toContain('{{ $value');
    expect(rule.annotations?.description).toMatch(/\{\{ \$labels\.(job|instance)/);
    expect(rule.annotations?.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#${name.toLowerCase()}`);
    expect(anchors.has(name.toLowerCase())).toBe(true);
  });

  test('docs/alerts.md has one row per alert, with its for and severity', () => {
    const rows = [...alertsDoc.matchAll(/^\| \[([A-Za-z]+)\]\(runbooks\.md#([a-z]+)\) \|.*$/gm)];
    const documented = new Map(rows.map((m) => [m[1], m[0].split(' | ').map((c) => c.trim())]));
    expect([...documented.keys()].sort()).toEqual(alerts.map((a) => a.rule.alert).sort());
    for (const { rule } of alerts) {
      const cells = documented.get(rule.alert)!;
      expect(cells[2]).toBe(rule.for);
      expect(cells[3]).toBe(rule.labels?.severity);
    }
  });
});

describe('unit test files', () => {
  interface AlertTest {
    eval_time: string;
    alertname: string;
    exp_alerts?: unknown[];
  }
  interface ExprTest {
    expr: string;
    exp_samples?: { labels: string }[];
  }
  interface TestFile {
    rule_files: string[];
    group_eval_order?: string[];
    tests: { alert_rule_test?: AlertTest[]; promql_expr_test?: ExprTest[] }[];
  }
  const testFiles = testFileNames.map((name) => ({ name, content: parse(fs.readFileSync(path.join(TESTS_DIR, name), 'utf8')) as TestFile }));
  const alertTests = testFiles.flatMap((f) => f.content.tests.flatMap((t) => t.alert_rule_test ?? []));
  const exprTests = testFiles.flatMap((f) => f.content.tests.flatMap((t) => t.promql_expr_test ?? []));

  test('reference only rule files that exist (static or the generated API group)', () => {
    const available = new Set(allFiles.map((f) => `../${f.name}`));
    for (const file of testFiles) for (const rf of file.content.rule_files) expect(available).toContain(rf);
  });

  test('fix the group evaluation order: every group, recording groups first', () => {
    // Without group_eval_order promtool evaluates groups in random order, and an alert that
    // reads a record of the same timestamp fires one interval late in some runs (flaky tests).
    for (const file of testFiles) {
      const groups = file.content.rule_files.flatMap((rf) => allFiles.find((f) => `../${f.name}` === rf)!.content.groups);
      expect({ file: file.name, order: [...(file.content.group_eval_order ?? [])].sort() }).toEqual({
        file: file.name,
        order: groups.map((g) => g.name).sort(),
      });
      const isRecording = (name: string): boolean => groups.find((g) => g.name === name)!.rules.every((r) => r.record !== undefined);
      const order = file.content.group_eval_order!;
      const lastRecording = Math.max(-1, ...order.map((g, i) => (isRecording(g) ? i : -1)));
      const firstAlerting = order.findIndex((g) => !isRecording(g));
      expect({ file: file.name, recordingBeforeAlerting: firstAlerting === -1 || lastRecording < firstAlerting }).toEqual({
        file: file.name,
        recordingBeforeAlerting: true,
      });
    }
  });

  test('only test alerts that exist', () => {
    const names = new Set(alerts.map((a) => a.rule.alert));
    for (const t of alertTests) expect(names).toContain(t.alertname);
  });

  test.each(alerts.map((a) => a.rule.alert))('%s is tested firing, not firing, and pending (above threshold, shorter than for)', (name) => {
    const mine = alertTests.filter((t) => t.alertname === name);
    expect(mine.some((t) => (t.exp_alerts ?? []).length > 0)).toBe(true);
    expect(mine.some((t) => (t.exp_alerts ?? []).length === 0)).toBe(true);
    const pending = exprTests.some(
      (t) =>
        t.expr.startsWith('ALERTS') &&
        (t.exp_samples ?? []).some((s) => s.labels.includes(`alertname="${name}"`) && s.labels.includes('alertstate="pending"')),
    );
    expect(pending).toBe(true);
  });
});

describe('metric names', () => {
  /**
   * Every raw metric a rule reads, with where it was seen. Copied from the scrapes of the real
   * programs (nanoe-monitoring research: node-exporter 1.5.0, postgres-exporter 0.11.1,
   * redis-exporter 1.45.0 metric lists, cAdvisor's documented metrics, and the /metrics of
   * Prometheus 2.42 and Alertmanager 0.25 on Debian 12).
   */
  const PINNED_NODE_EXPORTER = 'node_exporter-1.11.1.names';
  const PINNED_POSTGRES_EXPORTER = 'postgres_exporter-0.19.1.names';
  const PINNED_REDIS_EXPORTER = 'redis_exporter-1.86.0.names';
  const PINNED_CADVISOR = 'facts/cadvisor-0.60.5.json';
  /** The names a pinned exporter exports: test/fixtures/metric-names/*.names, or the cAdvisor facts. */
  function pinnedNames(source: string): Set<string> {
    if (source.startsWith('facts/')) {
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, source), 'utf8')) as { metrics: { name: string }[] };
      return new Set(facts.metrics.map((m) => m.name));
    }
    return new Set(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'metric-names', source), 'utf8').split('\n').map((l) => l.trim()));
  }
  const SOURCE_METRICS: Record<string, string> = {
    up: 'Prometheus (per scrape target)',
    node_cpu_seconds_total: 'node-exporter 1.5.0',
    node_memory_MemAvailable_bytes: 'node-exporter 1.5.0',
    node_memory_MemTotal_bytes: 'node-exporter 1.5.0',
    node_filesystem_avail_bytes: 'node-exporter 1.5.0',
    node_filesystem_size_bytes: 'node-exporter 1.5.0',
    node_network_receive_bytes_total: 'node-exporter 1.5.0',
    node_network_transmit_bytes_total: 'node-exporter 1.5.0',
    pg_up: 'postgres-exporter 0.11.1',
    redis_up: 'redis-exporter 1.45.0',
    container_memory_working_set_bytes: 'cAdvisor',
    container_spec_memory_limit_bytes: 'cAdvisor',
    prometheus_config_last_reload_successful: 'Prometheus 2.42 /metrics',
    prometheus_rule_evaluation_failures_total: 'Prometheus 2.42 /metrics',
    alertmanager_notifications_total: 'Alertmanager 0.25 /metrics',
    alertmanager_notifications_failed_total: 'Alertmanager 0.25 /metrics',
    prometheus_tsdb_storage_blocks_bytes: 'Prometheus 3.5.3 /metrics (pinned binary)',
    prometheus_tsdb_wal_storage_size_bytes: 'Prometheus 3.5.3 /metrics (pinned binary)',
    prometheus_tsdb_head_chunks_storage_size_bytes: 'Prometheus 3.5.3 /metrics (pinned binary)',
    prometheus_tsdb_retention_limit_bytes: 'Prometheus 3.5.3 /metrics (pinned binary)',
    prometheus_tsdb_retention_limit_seconds: 'Prometheus 3.5.3 /metrics (pinned binary)',
    prometheus_tsdb_lowest_timestamp_seconds: 'Prometheus 3.5.3 /metrics (pinned binary)',
    // No kubelet runs here: names and labels from facts/kubelet-unknown.json (kubernetes volume_stats.go, read at a commit).
    kubelet_volume_stats_capacity_bytes: 'kubelet (facts/kubelet-unknown.json)',
    kubelet_volume_stats_available_bytes: 'kubelet (facts/kubelet-unknown.json)',
    kubelet_volume_stats_used_bytes: 'kubelet (facts/kubelet-unknown.json)',
    alertmanager_cluster_members: 'Alertmanager v0.33.1 cluster/delegate.go',
    // Issue 10 item 5 (mixin-grade alerts): checked against the pinned lists by the next test.
    node_filesystem_readonly: PINNED_NODE_EXPORTER,
    node_filesystem_files_free: PINNED_NODE_EXPORTER,
    node_filesystem_files: PINNED_NODE_EXPORTER,
    node_filesystem_device_error: PINNED_NODE_EXPORTER,
    node_network_receive_errs_total: PINNED_NODE_EXPORTER,
    node_network_transmit_errs_total: PINNED_NODE_EXPORTER,
    node_network_receive_packets_total: PINNED_NODE_EXPORTER,
    node_network_transmit_packets_total: PINNED_NODE_EXPORTER,
    node_timex_offset_seconds: PINNED_NODE_EXPORTER,
    node_timex_sync_status: PINNED_NODE_EXPORTER,
    node_nf_conntrack_entries: PINNED_NODE_EXPORTER,
    node_nf_conntrack_entries_limit: PINNED_NODE_EXPORTER,
    pg_settings_max_connections: PINNED_POSTGRES_EXPORTER,
    pg_stat_activity_count: PINNED_POSTGRES_EXPORTER,
    pg_exporter_last_scrape_error: PINNED_POSTGRES_EXPORTER,
    pg_stat_database_deadlocks: PINNED_POSTGRES_EXPORTER,
    pg_stat_database_blks_hit: PINNED_POSTGRES_EXPORTER,
    pg_stat_database_blks_read: PINNED_POSTGRES_EXPORTER,
    redis_memory_used_bytes: PINNED_REDIS_EXPORTER,
    redis_memory_max_bytes: PINNED_REDIS_EXPORTER,
    redis_rejected_connections_total: PINNED_REDIS_EXPORTER,
    redis_evicted_keys_total: PINNED_REDIS_EXPORTER,
    redis_aof_last_write_status: PINNED_REDIS_EXPORTER,
    redis_aof_enabled: PINNED_REDIS_EXPORTER,
    container_oom_events_total: PINNED_CADVISOR,
    container_cpu_cfs_throttled_periods_total: PINNED_CADVISOR,
    container_cpu_cfs_periods_total: PINNED_CADVISOR,
    http_requests_total: 'the API (Go promhttp default, configurable)',
    http_request_duration_seconds_bucket: 'the API (Go promhttp default, configurable)',
  };

  function selectedMetrics(expr: string): string[] {
    const names: string[] = [];
    parser.parse(expr).iterate({
      enter: (node) => {
        if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
      },
    });
    return names;
  }

  test('every name attributed to a pinned exporter is in its recorded name list', () => {
    const missing = Object.entries(SOURCE_METRICS)
      .filter(([, source]) => [PINNED_NODE_EXPORTER, PINNED_POSTGRES_EXPORTER, PINNED_REDIS_EXPORTER, PINNED_CADVISOR].includes(source))
      .filter(([name, source]) => !pinnedNames(source).has(name))
      .map(([name, source]) => `${name} (${source})`);
    expect(missing).toEqual([]);
  });

  test('every series a rule reads is exported by a real program or recorded by a shipped rule', () => {
    const recorded = recordedMetricNames(allFiles);
    const unknown: string[] = [];
    for (const file of allFiles) {
      for (const group of file.content.groups) {
        for (const rule of group.rules) {
          for (const name of selectedMetrics(rule.expr)) {
            if (!(name in SOURCE_METRICS) && !recorded.has(name)) unknown.push(`${file.name} ${rule.record ?? rule.alert}: ${name}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
  });
});

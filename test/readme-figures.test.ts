/**
 * Issue 14, item 4: every figure the README prints comes from a command a reader can run, and is
 * checked here against what that command last printed (the recorded output committed under
 * docs/figures/, written by `--record`), against the code or data it describes, or is shown as an
 * example run with the command beside it.
 *
 * The last test reads every number of the README (code blocks, inline code and link targets aside)
 * and fails on one that no figure below covers and that is not listed as a non-figure (a port, a
 * version, a configuration value …) with the reason: a new figure needs a check here.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { CADVISOR_DISABLED_METRICS } from '../lib/components/cadvisor';
import { SCRAPE_LIMITS } from '../lib/components/stack';
import { MAX_RETENTION_SHARE, loadConfigFile } from '../lib/config/load';
import { NODE_AGENT_MISSING_FOR, TARGET_ABSENT_FOR } from '../lib/content/target-rules';
import { alertingRules, loadRuleFiles } from '../lib/content/rules';
import { HIGH_ERROR_FRACTION, LOW_ERROR_FRACTION, dashboardQueries } from './e2e/checks';
import { cadvisorMetricGroups, readFacts } from './support/facts';
import { ROOT } from './support/app';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const recorded = (name: string): string => readFileSync(join(ROOT, 'docs', 'figures', name), 'utf8');
const num = (s: string): number => Number(s.replace(/,/g, ''));

/** A figure: the README text it covers (global regex) and the check of its numbers. */
interface Figure {
  readonly what: string;
  readonly span: RegExp;
  readonly check: (m: RegExpMatchArray) => void;
  /** The parts of a long span whose numbers the check verifies (default: the whole span). */
  readonly covers?: RegExp[];
}

const rules = new Map(alertingRules(loadRuleFiles(join(ROOT, 'rules'))).map((r) => [r.rule.alert, r.rule]));
/** The numeric literals of an alert's expression (thresholds, horizons). */
const literals = (alert: string): number[] => [...rules.get(alert)!.expr.matchAll(/(?<![\w.[])\d+(?:\.\d+)?(?![\w.\]])/g)].map((m) => Number(m[0]));

const series = recorded('series-budget.txt');
const bench = recorded('bench.txt');
const verify = recorded('verify.txt');
/** Numbers of one line of a recorded output, found by a regex with groups. */
const fromRecord = (text: string, re: RegExp): number[] => {
  const m = re.exec(text);
  if (!m) throw new Error(`the recorded output has no line matching ${re}`);
  return m.slice(1).map(num);
};

const FIGURES: Figure[] = [
  {
    what: 'the cAdvisor job\'s limits, as SCRAPE_LIMITS sets them',
    span: /limits \((\d[\d,]*) samples, (\d+) MB\)/g,
    check: ([, samples, mb]) => expect([num(samples), `${mb}MB`]).toEqual([SCRAPE_LIMITS.cadvisor.sampleLimit, SCRAPE_LIMITS.cadvisor.bodySizeLimit]),
  },
  {
    what: 'the alert table: every alert with its `for:`, every number in "fires when" is a literal of its rule (% as a share, ms as seconds)',
    span: /^\| alert \| fires when \| for \|\n(?:\|.*\n)+/gm,
    check: ([table]) => {
      const seen = new Set<string>();
      for (const [, names, when, fors] of table.matchAll(/^\| ([^|]+?) \| (.+?) \| ([\dmh /]+) \|$/gm)) {
        const alerts = names.replace(/ \(generated.*\)$/, '').split(' / ');
        const f = fors.split(' / ');
        alerts.forEach((a, i) => {
          seen.add(a);
          const expected = a === 'TargetAbsent' ? TARGET_ABSENT_FOR : a === 'NodeAgentMissing' ? NODE_AGENT_MISSING_FOR : rules.get(a)?.for;
          expect({ alert: a, for: f[Math.min(i, f.length - 1)] }).toEqual({ alert: a, for: expected });
        });
        for (const [, n, unit] of when.matchAll(/(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]) ?(%|ms|s\b|h\b|minutes|request\/s|deadlock)?/g)) {
          const value = unit === '%' ? Number(n) / 100 : unit === 'ms' ? Number(n) / 1000 : Number(n);
          const ok = unit === 'minutes' ? alerts.some((a) => rules.get(a)?.for === `${n}m`) : alerts.some((a) => rules.has(a) && literals(a).some((l) => Math.abs(l - value) < 1e-12));
          expect({ row: names, figure: `${n}${unit ?? ''}`, inRule: ok }).toEqual({ row: names, figure: `${n}${unit ?? ''}`, inRule: true });
        }
      }
      expect([...rules.keys()].filter((a) => !seen.has(a))).toEqual([]);
    },
  },
  {
    what: 'the threshold tests: `> 5%` is HighErrorRate\'s threshold',
    span: /`> 5%` at exactly 5%/g,
    check: () => expect(literals('HighErrorRate')).toContain(0.05),
  },
  {
    what: 'the 1s bucket boundary: rules/tests/api.test.yaml computes a true p95 of 1.3 s as 0.9 s with the default buckets',
    span: /bucket boundary at 1 s\*\*[\s\S]*?report a true p95 of 1\.3 s as 0\.9 s/g,
    check: () => {
      const t = readFileSync(join(ROOT, 'rules', 'tests', 'api.test.yaml'), 'utf8');
      expect(t).toMatch(/le="0\.3"}'\n\s+values: '0\+900x20'[\s\S]*le="1\.5"}'\n\s+values: '0\+1000x20'/); // 100 of 1000 take 1.3s
      expect(t).toMatch(/histogram_quantile\(0\.95, sum by \(le\) \(rate\(coarse_request_duration_seconds_bucket\[5m\]\)\)\) \* 10000\)\n\s+eval_time: 5m\n\s+exp_samples:\n\s+- labels: '\{\}'\n\s+value: 9000/);
      expect(literals('APIHighResponseTime')).toEqual([1]);
    },
  },
  {
    what: '`npm run verify`: HighErrorRate at 2% and 10% are the constants of test/e2e/checks.ts; the intervals and `$__rate_interval` are the recorded ones',
    span: /`\$__rate_interval`\s+5m|does not fire at 2% 5xx and fires at 10%|intervals 1 s/g,
    check: ([text]) => {
      if (text.includes('2%')) expect([LOW_ERROR_FRACTION, HIGH_ERROR_FRACTION]).toEqual([0.02, 0.1]);
      else if (text.includes('intervals')) expect(verify).toMatch(/scrape_interval: \S+ → 1s[\s\S]*evaluation_interval: \S+ → 1s/);
      else expect(verify).toContain('$__rate_interval→5m');
    },
  },
  {
    what: '`npm run verify` example: the panel counts and run time are the ones docs/figures/verify.txt recorded, and the counts match dashboards/',
    span: /panels with data: \d+\/\d+\s+\(\+\d+ cAdvisor and \d+ kubelet panel queries[^)]*\)[\s\S]*?ALL \d+ CHECKS\s+PASSED — total run time [\d.]+ s/g,
    check: ([raw]) => {
      const text = raw.replace(/\s+/g, ' ');
      const nums = (t: string) => fromRecord(t, /panels with data: (\d+)\/(\d+) \(\+(\d+) cAdvisor and (\d+) kubelet[\s\S]*ALL (\d+) CHECKS PASSED — total run time ([\d.]+) s/);
      expect(nums(text)).toEqual(nums(verify));
      const [withData, live, cadvisor, kubelet] = nums(text);
      const queries = dashboardQueries(ROOT);
      const plain = queries.filter((q) => !q.cadvisor && !q.kubelet).length;
      expect({ withData, live, cadvisor, kubelet }).toEqual({
        withData: plain, live: plain, cadvisor: queries.filter((q) => q.cadvisor).length, kubelet: queries.filter((q) => q.kubelet).length,
      });
    },
  },
  {
    what: 'the backup e2e counts: an example run with the command that prints them beside it',
    span: /example run of `npx jest test\/e2e\/backup\.e2e`,\s+which prints them[^)]*?911 series, 5,428 samples/g,
    check: () => undefined,
  },
  {
    what: 'the HA e2e run time: an example run with the command beside it',
    span: /Example run of `npx jest test\/e2e\/ha\.e2e` \(it prints this; about \d+ s on this machine\)/g,
    check: () => undefined,
  },
  {
    what: 'the retention limit: 80% is MAX_RETENTION_SHARE',
    span: /`retentionSize` above 80% of the volume/g,
    check: () => expect(MAX_RETENTION_SHARE).toBe(0.8),
  },
  {
    what: 'Sizing: series counts from docs/figures/series-budget.txt; cAdvisor names from its facts; memory limits from config/environments.yaml',
    span: /\*\*Sizing\.\*\*[\s\S]*?one Prometheus approaches/g,
    covers: [/exports \d+ series on a \d+-CPU node \(\d+ with the default lean\s+keep rule; `node_cpu_seconds_total` adds \d+ per extra CPU\); postgres-exporter \d+ \(\d+ lean\)|redis-exporter \d+ \(\d+ lean\)|disabled groups, \d+ of its|dev\s+limit \(\d+ GiB\) is comfortable up to roughly \d+k series and prod's \d+ GiB to around [\d.]+M|facts\/cadvisor-[\d.]+\.json|on 127\.0\.0\.1/g],
    check: ([text]) => {
      const [nodeFull] = fromRecord(series, /^\| node_exporter \| project flags \| (\d+) \|/m);
      const [nodeLean] = fromRecord(series, /^\| node_exporter \| project flags \+ lean keep rule \(default\) \| (\d+) \|/m);
      const [pg, pgLean] = fromRecord(series, /^\| postgres-exporter \| .* \| (\d+) \/ (\d+) \|/m);
      const [redis, redisLean] = fromRecord(series, /^\| redis-exporter \| .* \| (\d+) \/ (\d+) \|/m);
      const [, cpus, perCpu] = fromRecord(series, /^node_cpu_seconds_total: (\d+) series on (\d+) CPU\(s\), (\d+) per CPU/m);
      expect(fromRecord(text, /exports (\d+) series on a (\d+)-CPU node \((\d+) with the default lean\s+keep rule; `node_cpu_seconds_total` adds (\d+) per extra CPU\); postgres-exporter (\d+) \((\d+) lean\)[\s\S]*redis-exporter (\d+) \((\d+) lean\)/))
        .toEqual([nodeFull, cpus, nodeLean, perCpu, pg, pgLean, redis, redisLean]);
      const groups = cadvisorMetricGroups(readFacts('facts/cadvisor-0.60.5.json'));
      const on = [...groups].filter(([name, g]) => name.startsWith('container_') && (g === '' || !CADVISOR_DISABLED_METRICS.includes(g)));
      expect(fromRecord(text, /disabled groups, (\d+) of its documented `container_\*` metric names stay on/)).toEqual([on.length]);
      // "a few KiB per active series": the dev limit / 300k and the prod limit / 1.5M.
      const limits = Object.fromEntries(loadConfigFile(join(ROOT, 'config', 'environments.yaml')).map((e) => [e.name, e.prometheus.resources.limits.memory]));
      const [dev, devSeries, prod, prodSeries] = fromRecord(text, /dev\s+limit \((\d+) GiB\) is comfortable up to roughly (\d+)k series and prod's (\d+) GiB to around ([\d.]+)M/);
      expect([limits.dev, limits.prod]).toEqual([`${dev}Gi`, `${prod}Gi`]);
      for (const kib of [(dev * 1024 * 1024) / (devSeries * 1000), (prod * 1024 * 1024) / (prodSeries * 1e6)]) expect(kib > 2 && kib < 10).toBe(true);
    },
  },
  {
    what: 'the scrape limits are SCRAPE_LIMITS',
    span: /10,000 samples for node-exporter and postgres-exporter, 5,000 for\s+redis-exporter and Alertmanager, 50,000 for cAdvisor and the API/g,
    check: () => {
      const s = (k: keyof typeof SCRAPE_LIMITS): number => SCRAPE_LIMITS[k].sampleLimit;
      expect([s('nodeExporter'), s('postgresExporter'), s('redisExporter'), s('alertmanager'), s('cadvisor'), s('api')]).toEqual([10_000, 10_000, 5_000, 5_000, 50_000, 50_000]);
    },
  },
  {
    what: 'Series budget: the table is the recorded one, line for line; the savings follow from it',
    span: /## Series budget[\s\S]*?`metrics: full` keeps every series\./g,
    covers: [/^\|.*$/gm, /node_exporter −\d+ series per node \(\d+ → \d+\), postgres-exporter −\d+ \(\d+ → \d+:|redis-exporter −\d+ \(\d+ → \d+:/g],
    check: ([text]) => {
      const rows = (t: string) => t.split('\n').filter((l) => l.startsWith('|'));
      expect(rows(text)).toEqual(rows(series));
      const [nodeFull] = fromRecord(series, /^\| node_exporter \| project flags \| (\d+) \|/m);
      const [nodeLean] = fromRecord(series, /^\| node_exporter \| project flags \+ lean keep rule \(default\) \| (\d+) \|/m);
      const [pg, pgLean] = fromRecord(series, /^\| postgres-exporter \| .* \| (\d+) \/ (\d+) \|/m);
      const [redis, redisLean] = fromRecord(series, /^\| redis-exporter \| .* \| (\d+) \/ (\d+) \|/m);
      expect(fromRecord(text, /node_exporter −(\d+) series per node \((\d+) → (\d+)\), postgres-exporter −(\d+) \((\d+) → (\d+):[\s\S]*redis-exporter −(\d+) \((\d+) → (\d+):/))
        .toEqual([nodeFull - nodeLean, nodeFull, nodeLean, pg - pgLean, pg, pgLean, redis - redisLean, redis, redisLean]);
      expect(fromRecord(series, /^series budget: node_exporter ([\d.]+)/m).join()).toBe(fromRecord(text, /node_exporter ([\d.]+), postgres-exporter/).join());
    },
  },
  {
    what: 'Speed: the table is the recorded one, line for line; the sentence figures are the recorded ratios and sizes',
    span: /## Speed[\s\S]*?sets `ServerSideApply=true`\)\./g,
    covers: [/^\|.*$/gm, /as typed \(npm's own start-up aside\) takes [\d.]+×|computes everything \([\d.]+×|this project's \d+-core machine|1000 targets \/ 10 targets = [\d.]+× \([\d.]+ ms per target|The 1000-target prometheus\.yml takes \d+ B per scrape job: above ~\d+ scrape jobs|hits the \d+ KiB/g],
    check: ([text]) => {
      const rows = (t: string) => t.split('\n').filter((l) => l.startsWith('|'));
      expect(rows(text)).toEqual(rows(bench).slice(0, rows(text).length));
      expect(rows(text).length).toBe(rows(bench).length);
      const [cpus] = fromRecord(bench, /, (\d+) CPU\(s\)/);
      expect(fromRecord(text, /this project's (\d+)-core machine/)).toEqual([cpus]);
      const [typed] = fromRecord(bench, /as typed \(npm aside\) vs `node -e 0`: ([\d.]+)×/);
      const [cold] = fromRecord(bench, /a first run, computing everything: ([\d.]+)×/);
      expect(fromRecord(text, /as typed \(npm's own start-up aside\) takes ([\d.]+)×[\s\S]*computes everything \(([\d.]+)×/)).toEqual([typed, cold]);
      const [ratio] = fromRecord(bench, /ratios: 1000 \/ 10 targets = ([\d.]+)×/);
      const [perTarget] = fromRecord(bench, /marginal cost: ([\d.]+) ms per scrape target/);
      const [bytesPerJob] = fromRecord(bench, /\((\d+) jobs, (\d+) B\/job\)/).slice(1);
      const [r, ms, b, jobs, kib] = fromRecord(text, /1000 targets \/ 10 targets = ([\d.]+)× \(([\d.]+) ms per target[\s\S]*takes (\d+) B per scrape job: above ~(\d+) scrape jobs, client-side\s+`kubectl apply` hits the (\d+) KiB/);
      expect([r, ms, b]).toEqual([ratio, perTarget, bytesPerJob]);
      // kubectl's last-applied annotation is limited to 256 KiB (the API server's total annotation size).
      expect(kib).toBe(256);
      expect(Math.abs(jobs - (kib * 1024) / bytesPerJob)).toBeLessThan(10);
    },
  },
];

/** Numbers in the README that are not figures of a run: what they are, and where they are checked. */
const NOT_FIGURES: { why: string; span: RegExp }[] = [
  { why: 'ports and protocols (test/network-policy.test.ts, the snapshot)', span: /\b\d+\/(?:TCP|UDP)\b|port \d+|on \d+ TCP\+UDP|gRPC \d+|\(\d+\) at|\bport\s+\d+/g },
  { why: 'addresses', span: /127\.0\.0\.1|0\.0\.0\.0\/0/g },
  { why: 'release versions (versions.json; test/versions.test.ts)', span: /\d+\.\d+\.\d+(?:[-+][\w.+-]+)?|Node 20|Debian 12|Kubernetes 1\.27(?: types)?|1\.27 and 1\.31|issue 1[0-9]|commit [0-9a-f]{7}/g },
  { why: 'numbered steps', span: /^\d+\. /gm },
  { why: 'configuration values of config/environments.yaml and the environment table (test/config-limits.test.ts, the snapshot)', span: /^\| (?:Prometheus replicas|Alertmanager members|[^|]*retention|Grafana) \|.*$|`staging: \{[^`]*\}`|20Gi|100Gi|80GB|16GB/gm },
  { why: 'the public API table, generated (test/public-api.test.ts)', span: /^\| `[^`]+` \| (?:class|function|interface|const|type|enum) \|.*$/gm },
  { why: 'the repository layout table', span: /^\| `(?:imports|schemas)\/[^`]*` \|.*$/gm },
  { why: 'the threat table: uids and ports of the rendered pods (test/pod-security.test.ts)', span: /^\| (?:a node agent|node-exporter or any host-network pod) .*$|uid \d+/gm },
  { why: 'ports of the rendered objects and of the kubelet (test/network-policy.test.ts, the snapshot)', span: /\((?:9100|10250)\b|\b(?:9100|10250) and|CIDR:10250|:8080\b|5432\/6379|\b53 UDP\+TCP/g },
  { why: 'HTTP status codes', span: /\b401\b/g },
  { why: 'Cilium facts, cited where they appear (its docs section, release, pull requests)', span: /Layer 3|Cilium 1\.15|#\d{3,}/g },
  { why: 'the example Alertmanager config: its repeat interval and working hours (test/alertmanager-example.test.ts)', span: /repeated every \d+ minutes|\d\d:\d\d–\d\d:\d\d/g },
  { why: 'values of up-style metrics (0 or 1), not measurements', span: /`(?:redis_up|pg_up)` [01]\b|AUTH, 0 and/g },
  { why: 'the generated NodeAgentMissing, stated with it (NODE_AGENT_MISSING_FOR, test/ha.test.ts)', span: /\(warning, 15m\)/g },
  { why: 'the anti-affinity weight of the rendered pods (test/ha.test.ts)', span: /weight 100/g },
  { why: 'the 1 s latency threshold of APIHighResponseTime (rules/alerts.rules.yaml)', span: /above 1 s/g },
  { why: 'facts of node-exporter and cAdvisor, cited where they appear (in-flight limit, process group)', span: /\d+ in-flight|group \(\d+ names\)/g },
  { why: 'Kubernetes versions', span: /1\.30\+/g },
  { why: 'resource requests of config/environments.yaml (the snapshot)', span: /\d+m\/\d+Mi/g },
  { why: 'the tested-versions table (test/versions.test.ts)', span: /^\| (?:prometheus|alertmanager|nodeExporter|postgresExporter|redisExporter) \|.*$/gm },
  { why: 'facts of other programs, cited where they appear (bcrypt cost, the Thanos block length, the ACME solver, the PriorityClass value)', span: /bcrypt cost \d+|at least \d+\)|\d+ h blocks|HTTP-\d+|value 1e9|0440/g },
  { why: 'counts in prose that name a configuration (replicas, members, keep + 1), not measurements', span: /replicas: \d|`alertmanager\.replicas: 3`|\d-member cluster|S3-compatible|\(keep \+ 1\)|> 1: prod|memory limit is at\s+least 64 Mi and twice|every 30 s|scale the StatefulSet\/Deployment to 0|only shows as `pg_up`\/`redis_up` 0/g },
  { why: 'the limits of a config check, stated with the check (test/bad-config.test.ts)', span: /exit code \d|\d+ characters|\(`0 0 31 2 \*`\)|\b1d\b|\b30s1m\b|\b30m1h\b/g },
];

describe('README figures', () => {
  test.each(FIGURES.map((f) => [f.what, f] as const))('%s', (_what, f) => {
    const matches = [...README.matchAll(f.span)];
    expect(matches.length).toBeGreaterThan(0);
    for (const m of matches) f.check(m);
  });

  test('every number in the README is a checked figure or a listed non-figure', () => {
    // Code blocks, inline code, link targets and URLs blanked out (same length, so positions hold).
    const blank = (m: string) => m.replace(/[^\n]/g, ' ');
    const text = README.replace(/^```[\s\S]*?^```/gm, blank).replace(/`[^`\n]*`/g, blank).replace(/\]\([^)]*\)/g, blank).replace(/https?:\/\/\S+/g, blank);
    const covered: [number, number][] = [];
    for (const f of FIGURES) {
      for (const m of README.matchAll(f.span)) {
        if (!f.covers) covered.push([m.index!, m.index! + m[0].length]);
        for (const part of (f.covers ?? []).flatMap((re) => [...m[0].matchAll(re)])) covered.push([m.index! + part.index!, m.index! + part.index! + part[0].length]);
      }
    }
    for (const n of NOT_FIGURES) for (const m of README.matchAll(n.span)) covered.push([m.index!, m.index! + m[0].length]);
    const uncovered = [...text.matchAll(/(?<![\w.\-/])\d(?:[\d,.]*\d)?/g)]
      .filter((m) => !covered.some(([a, b]) => m.index! >= a && m.index! < b))
      .map((m) => `line ${README.slice(0, m.index).split('\n').length}: "${m[0]}" in "${README.slice(Math.max(0, m.index! - 40), m.index! + 30).replace(/\n/g, ' ')}"`);
    expect(uncovered).toEqual([]);
  });
});

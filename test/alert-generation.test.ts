/**
 * Focused tests of the generated alerts and of the checks that read the rule files (issue 14): the
 * TargetAbsent / NodeAgentMissing group, the scrape and evaluation intervals against the rules'
 * windows, the job selectors of owned metrics, and the lean keep lists. Every call happens inside a
 * test, so the mutation run (docs/mutation.md) can credit these tests; the whole-output checks of the
 * same behaviour are in ha, hardening and lean-metrics.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { load } from 'js-yaml';

import { checkAlertWindows, shortestRuleSpans } from '../lib/content/alert-windows';
import { LEAN_ALLOWLIST, leanKeepList, leanRelabelling, metricQueries, usedMetricNames } from '../lib/content/metric-usage';
import { findPromqlSyntaxError } from '../lib/content/promql';
import { checkRuleJobs, jobSelectorProblems, ownerOf, unquotePromqlString, vectorSelectors } from '../lib/content/rule-jobs';
import { DEFAULT_RUNBOOK_BASE, loadRuleFiles } from '../lib/content/rules';
import { renderTargetRulesYaml, targetRulesYaml } from '../lib/content/target-rules';
import { configErrorOf, refusedWith } from './support/refusal';

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };
const rulesOf = (yaml: string): Rule[] => {
  const doc = load(yaml) as { groups: { name: string; rules: Rule[] }[] };
  expect(doc.groups).toHaveLength(1);
  expect(doc.groups[0].name).toBe('scrape-targets.alerts');
  return doc.groups[0].rules;
};

/** A rule file of one group with the given rules. */
const ruleFile = (name: string, rules: Record<string, unknown>[]) => ({ name, text: JSON.stringify({ groups: [{ name: 'g', rules }] }) });


describe('TargetAbsent: one alert per scrape job, in the order given', () => {
  test('each job gets absent(up{job=...}) for 5m, critical, with its runbook anchor', () => {
    const rules = rulesOf(renderTargetRulesYaml(['api', 'node-exporter']));
    expect(rules.map((r) => [r.alert, r.expr, r.for, r.labels])).toEqual([
      ['TargetAbsent', 'absent(up{job="api"})', '5m', { severity: 'critical' }],
      ['TargetAbsent', 'absent(up{job="node-exporter"})', '5m', { severity: 'critical' }],
    ]);
    expect(rules[0].annotations.summary).toBe('No target of job api is discovered');
    expect(rules[0].annotations.description).toContain('for job {{ $labels.job }} for more than 5m');
    expect(rules[0].annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#targetabsent`);
  });

  test('a job name with a quote or a backslash is escaped as a PromQL string, and the expression parses', () => {
    const [rule] = rulesOf(renderTargetRulesYaml(['a"b\\c']));
    expect(rule.expr).toBe('absent(up{job="a\\"b\\\\c"})');
    expect(findPromqlSyntaxError(rule.expr)).toBeUndefined();
    expect(vectorSelectors(rule.expr)).toEqual([{ metric: 'up', jobEquals: ['a"b\\c'], otherJobMatchers: [] }]);
  });

  test('no jobs: an empty group, and no NodeAgentMissing without node jobs', () => {
    expect(rulesOf(renderTargetRulesYaml([]))).toEqual([]);
    expect(rulesOf(renderTargetRulesYaml(['api'])).map((r) => r.alert)).toEqual(['TargetAbsent']);
  });
});

describe('NodeAgentMissing: a node agent absent from some nodes', () => {
  test('one alert per agent job: node count minus agent targets above 0 for 15m, warning, labelled with the agent job', () => {
    const rules = rulesOf(renderTargetRulesYaml(['kubelet'], { nodeJob: 'kubelet', agentJobs: ['node-exporter', 'cadvisor'] }));
    const missing = rules.filter((r) => r.alert === 'NodeAgentMissing');
    expect(missing.map((r) => [r.expr, r.for, r.labels])).toEqual([
      ['count(up{job="kubelet"}) - count(up{job="node-exporter"}) > 0', '15m', { severity: 'warning', job: 'node-exporter' }],
      ['count(up{job="kubelet"}) - count(up{job="cadvisor"}) > 0', '15m', { severity: 'warning', job: 'cadvisor' }],
    ]);
    for (const r of missing) expect(findPromqlSyntaxError(r.expr)).toBeUndefined();
    expect(missing[0].annotations.summary).toBe('node-exporter is missing on some nodes');
    expect(missing[0].annotations.description).toContain('(targets of job kubelet) have had no node-exporter target for more than 15m');
    expect(missing[0].annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#nodeagentmissing`);
    // TargetAbsent first, then the per-node alerts.
    expect(rules.map((r) => r.alert)).toEqual(['TargetAbsent', 'NodeAgentMissing', 'NodeAgentMissing']);
  });

  test('targetRulesYaml: TargetAbsent for the targets then the node jobs; NodeAgentMissing for the node agents, counted by the first node job', () => {
    const rules = rulesOf(targetRulesYaml(
      [{ job: 'api' }, { job: 'node-exporter', instanceIsNode: true }, { job: 'cadvisor', instanceIsNode: false }],
      [{ job: 'kubelet' }, { job: 'other-node-job' }],
    ));
    expect(rules.map((r) => `${r.alert} ${r.expr}`)).toEqual([
      'TargetAbsent absent(up{job="api"})',
      'TargetAbsent absent(up{job="node-exporter"})',
      'TargetAbsent absent(up{job="cadvisor"})',
      'TargetAbsent absent(up{job="kubelet"})',
      'TargetAbsent absent(up{job="other-node-job"})',
      'NodeAgentMissing count(up{job="kubelet"}) - count(up{job="node-exporter"}) > 0',
    ]);
  });

  test('targetRulesYaml without a node job (no kubelet scraping): no NodeAgentMissing, nothing to count nodes by', () => {
    const rules = rulesOf(targetRulesYaml([{ job: 'node-exporter', instanceIsNode: true }], []));
    expect(rules.map((r) => r.alert)).toEqual(['TargetAbsent']);
  });
});

describe('intervals against the rules\' windows', () => {
  const files = [
    ruleFile('a.yaml', [
      { alert: 'Slow', expr: 'rate(x[10m]) > 1', for: '10m' },
      { alert: 'Fast', expr: 'max_over_time(rate(y[5m])[30m:1m]) > 1', for: '2m' },
      { alert: 'NoFor', expr: 'z > 1' },
      { alert: 'ZeroFor', expr: 'z > 2', for: '0s' },
    ]),
    ruleFile('b.yaml', [{ record: 'r', expr: 'sum(rate(w[ 20m ]))' }]),
  ];

  test('the shortest range window and the shortest non-zero for:, with where they are, over every file and rule', () => {
    const spans = shortestRuleSpans(files);
    expect(spans.range).toEqual({ seconds: 300, text: '5m', where: 'rule Fast in a.yaml' });
    expect(spans.for).toEqual({ seconds: 120, text: '2m', where: 'rule Fast in a.yaml' });
    // The shortest found in a later file replaces an earlier one; a subquery's range counts.
    expect(shortestRuleSpans([ruleFile('c.yaml', [{ record: 'q', expr: 'max_over_time(v[1h:1m])' }]), ruleFile('d.yaml', [{ alert: 'D', expr: 'v[40m:5m]', for: '1h' }])]))
      .toEqual({ range: { seconds: 2400, text: '40m', where: 'rule D in d.yaml' }, for: { seconds: 3600, text: '1h', where: 'rule D in d.yaml' } });
    // An earlier, shorter span is kept over a later, longer one.
    expect(shortestRuleSpans([ruleFile('e.yaml', [{ alert: 'E', expr: 'v[2m]', for: '1m' }]), ...files]).range?.where).toBe('rule E in e.yaml');
    expect(shortestRuleSpans([ruleFile('e.yaml', [{ alert: 'E', expr: 'v[2m]', for: '1m' }]), ...files]).for?.where).toBe('rule E in e.yaml');
  });

  test('a file without windows or for: gives none; for: 0s is not a delay', () => {
    expect(shortestRuleSpans([ruleFile('n.yaml', [{ alert: 'N', expr: 'up == 0', for: '0s' }])])).toEqual({ range: undefined, for: undefined });
    expect(shortestRuleSpans([])).toEqual({ range: undefined, for: undefined });
  });

  test('a tie keeps the first rule found (file order, then rule order); a later, shorter for: replaces an earlier one, within a file and across files', () => {
    // Two windows and two for: of the same length: the first rule is the one named.
    expect(shortestRuleSpans([ruleFile('tie1.yaml', [{ alert: 'T1', expr: 'v[4m]', for: '4m' }, { alert: 'T2', expr: 'w[4m]', for: '4m' }])]))
      .toEqual({ range: { seconds: 240, text: '4m', where: 'rule T1 in tie1.yaml' }, for: { seconds: 240, text: '4m', where: 'rule T1 in tie1.yaml' } });
    expect(shortestRuleSpans([ruleFile('tie2.yaml', [{ alert: 'U1', expr: 'v[4m]', for: '4m' }]), ruleFile('tie3.yaml', [{ alert: 'U2', expr: 'w[240s]', for: '240s' }])]))
      .toEqual({ range: { seconds: 240, text: '4m', where: 'rule U1 in tie2.yaml' }, for: { seconds: 240, text: '4m', where: 'rule U1 in tie2.yaml' } });
    // Shorter for: after a longer one: in the same file, and in a later file.
    expect(shortestRuleSpans([ruleFile('order1.yaml', [{ alert: 'O1', expr: 'v', for: '3m' }, { alert: 'O2', expr: 'v', for: '7m' }])]).for)
      .toEqual({ seconds: 180, text: '3m', where: 'rule O1 in order1.yaml' });
    expect(shortestRuleSpans([ruleFile('order2.yaml', [{ alert: 'O3', expr: 'v', for: '7m' }]), ruleFile('order3.yaml', [{ alert: 'O4', expr: 'v', for: '3m' }])]).for)
      .toEqual({ seconds: 180, text: '3m', where: 'rule O4 in order3.yaml' });
  });

  test('the same file name with another text is read again, not taken from the previous result', () => {
    expect(shortestRuleSpans([ruleFile('same.yaml', [{ alert: 'S', expr: 'v[8m]', for: '3m' }])]).range?.text).toBe('8m');
    expect(shortestRuleSpans([ruleFile('same.yaml', [{ alert: 'S', expr: 'v[6m]', for: '3m' }])]).range?.text).toBe('6m');
  });

  test('a scrape interval of exactly half the shortest window is accepted; one second more is refused, naming the window, the rule and the fix', () => {
    expect(() => checkAlertWindows('env.prometheus', '2m30s', '1m', files)).not.toThrow();
    expect(refusedWith(() => checkAlertWindows('env.prometheus', '151s', '1m', files))).toBe('env.prometheus.scrapeInterval: "151s" is more than half the shortest rate window [5m] (rule Fast in a.yaml): rate() needs two samples in its window, so that rule returns nothing and its alerts can never fire — use at most 2m30s (Prometheus recommends a quarter of the window: 1m15s)');
  });

  test('an evaluation interval equal to the shortest for: is accepted; one second more is refused, naming the alert and the fix', () => {
    expect(() => checkAlertWindows('env.prometheus', '30s', '2m', files)).not.toThrow();
    expect(refusedWith(() => checkAlertWindows('env.prometheus', '30s', '121s', files))).toBe('env.prometheus.evaluationInterval: "121s" is longer than the shortest for: 2m (rule Fast in a.yaml), so that alert would wait a whole evaluation interval instead — use at most 2m');
  });

  test('the suggested limits are written as Prometheus durations (hours, minutes, seconds, zero parts left out)', () => {
    const long = [ruleFile('l.yaml', [{ alert: 'L', expr: 'v[2h1m]', for: '3h' }])];
    expect(configErrorOf(() => checkAlertWindows('p', '2h', '1m', long)).fix).toBe('use at most 1h30s (Prometheus recommends a quarter of the window: 30m15s)');
    expect(configErrorOf(() => checkAlertWindows('p', '1m', '4h', long)).fix).toBe('use at most 3h');
    const tiny = [ruleFile('t.yaml', [{ alert: 'T', expr: 'v[3s]', for: '1s' }])];
    expect(configErrorOf(() => checkAlertWindows('p', '2s', '1s', tiny)).fix).toBe('use at most 1s (Prometheus recommends a quarter of the window: 0s)');
  });

  test('without rule windows any interval passes; the intervals themselves must still be durations', () => {
    expect(() => checkAlertWindows('p', '1h', '1h', [])).not.toThrow();
    expect(configErrorOf(() => checkAlertWindows('p', 'soon', '1m', [])).field).toBe('p.scrapeInterval');
    expect(configErrorOf(() => checkAlertWindows('p', '1m', 'later', [])).field).toBe('p.evaluationInterval');
  });
});

describe('rules read owned metrics only from their job', () => {
  const owners = [{ job: 'postgres-exporter', metrics: ['pg_*'] }, { job: 'redis-exporter', metrics: ['redis_up', 'redis_memory_used_bytes'] }];
  const jobs = new Set(['postgres-exporter', 'redis-exporter', 'api']);

  test('selectors: the metric by name or by __name__, job equality values in every quoting, other job matchers as written', () => {
    expect(vectorSelectors('pg_up{job="postgres-exporter"} + on() redis_up{job=\'redis-exporter\'} + {__name__="x_total", job=`api`}')).toEqual([
      { metric: 'pg_up', jobEquals: ['postgres-exporter'], otherJobMatchers: [] },
      { metric: 'redis_up', jobEquals: ['redis-exporter'], otherJobMatchers: [] },
      { metric: 'x_total', jobEquals: ['api'], otherJobMatchers: [] },
    ]);
    expect(vectorSelectors('up{job!="a", job=~"b.*", job!~"c", instance="i"}')).toEqual([
      { metric: 'up', jobEquals: [], otherJobMatchers: ['job!="a"', 'job=~"b.*"', 'job!~"c"'] },
    ]);
    expect(vectorSelectors('{job="api"}')).toEqual([{ metric: '', jobEquals: ['api'], otherJobMatchers: [] }]);
    // __name__ with another operator does not name the metric; a single-quoted value may hold a double quote.
    expect(vectorSelectors('{__name__=~"pg_.*", job=\'a"b\'}')).toEqual([{ metric: '', jobEquals: ['a"b'], otherJobMatchers: [] }]);
    // A matrix selector's vector is found; nothing inside a selector is read twice.
    expect(vectorSelectors('rate(pg_x[5m])')).toEqual([{ metric: 'pg_x', jobEquals: [], otherJobMatchers: [] }]);
  });

  test('selectors with quoted names (Prometheus 3): a quoted label name is unquoted; a quoted name alone in the braces is the metric', () => {
    expect(vectorSelectors('up{"job"="api", "\\u006aob"=\'b\', "instance"!="i"}')).toEqual([{ metric: 'up', jobEquals: ['api', 'b'], otherJobMatchers: [] }]);
    expect(vectorSelectors('{"pg.up", "job"!~"x"}')).toEqual([{ metric: 'pg.up', jobEquals: [], otherJobMatchers: ['"job"!~"x"'] }]);
    expect(vectorSelectors('{"__name__"="pg_up"}')).toEqual([{ metric: 'pg_up', jobEquals: [], otherJobMatchers: [] }]);
    // So an owned metric named that way still needs its job.
    expect(jobSelectorProblems('{"pg_up"} == 0', owners, jobs)).toEqual(['reads pg_up without the selector job="postgres-exporter" (the only job that exports it; any other target could serve a forged pg_up)']);
    expect(jobSelectorProblems('{"pg_up", job="postgres-exporter"} == 0', owners, jobs)).toEqual([]);
  });

  test('string values are read as Prometheus reads them: Go escapes in \'…\' and "…" (bytes, octal, code points), none in `…`', () => {
    const expr = String.raw`up{job="\x61p\151", job='\u0061pI', job="\U0001F600\"\\", job="\a\b\f\n\r\t\v", job=` + '`\\x61`' + String.raw`, job="\xc3\xA9\xC3\xa9 é😀"}`;
    expect(findPromqlSyntaxError(expr)).toBeUndefined();
    expect(vectorSelectors(expr)).toEqual([{ metric: 'up', jobEquals: ['api', 'apI', '😀"\\', '\x07\b\f\n\r\t\v', '\\x61', 'éé é😀'], otherJobMatchers: [] }]);
    expect(unquotePromqlString('"\\x4A\\x4b\\u004C\\u004d\\U0000004E\\U0000004f\\117\\120"')).toBe('JKLMNOOP');
    expect(unquotePromqlString("'\\''")).toBe("'");
    for (const [e, n] of [['x', 2], ['u', 4], ['U', 8]] as const) {
      const esc = (hex: string) => `\\${e}${hex.padStart(n, '0')}`;
      expect(unquotePromqlString(`"${['4a', '4f', '4A', '4F', '30', '39'].map(esc).join('')}"`)).toBe('JOJO09');
    }
    expect(unquotePromqlString('"\\060\\067"')).toBe('07');
  });

  test('an incomplete matcher (a syntax error, reported by the syntax check) is not read as a selector and does not crash', () => {
    expect(vectorSelectors('up{job=}')).toEqual([{ metric: 'up', jobEquals: [], otherJobMatchers: [] }]);
    expect(vectorSelectors('up{job}')).toEqual([{ metric: 'up', jobEquals: [], otherJobMatchers: [] }]);
    expect(vectorSelectors('up{instance=, job="a"}')).toEqual([{ metric: 'up', jobEquals: ['a'], otherJobMatchers: [] }]);
  });

  test('owners: an exact name, or a prefix with *', () => {
    expect(ownerOf('pg_stat_database_xact_commit', owners)).toBe('postgres-exporter');
    expect(ownerOf('redis_up', owners)).toBe('redis-exporter');
    expect(ownerOf('redis_upx', owners)).toBeUndefined();
    expect(ownerOf('pgx', owners)).toBeUndefined();
    expect(ownerOf('node_load1', owners)).toBeUndefined();
  });

  test('an owned metric needs exactly job="<owner>" and no other job matcher; an unknown job is named with the jobs there are', () => {
    expect(jobSelectorProblems('pg_up{job="postgres-exporter"} == 0', owners, jobs)).toEqual([]);
    expect(jobSelectorProblems('node_load1 > 2', owners, jobs)).toEqual([]);
    const without = 'reads pg_up without the selector job="postgres-exporter" (the only job that exports it; any other target could serve a forged pg_up)';
    expect(jobSelectorProblems('pg_up == 0', owners, jobs)).toEqual([without]);
    expect(jobSelectorProblems('pg_up{job="api"} == 0', owners, jobs)).toEqual([without]);
    expect(jobSelectorProblems('pg_up{job="postgres-exporter", job="api"} == 0', owners, jobs)).toEqual([without]);
    expect(jobSelectorProblems('pg_up{job="postgres-exporter", job!="api"} == 0', owners, jobs)).toEqual([without]);
    expect(jobSelectorProblems('up{job="gone"} == 0', owners, jobs)).toEqual(['selects job="gone", which no scrape job is called (jobs: postgres-exporter, redis-exporter, api)']);
    expect(jobSelectorProblems('{job="gone"}', owners, jobs)).toHaveLength(1);
  });

  test('a rule file with such a selector is refused, naming the file, group, rule, the expression on one line and the fix', () => {
    const ok = ruleFile('ok.yaml', [{ alert: 'PgDown', expr: 'pg_up{job="postgres-exporter"} == 0' }]);
    expect(() => checkRuleJobs([ok, { name: 'empty.yaml', text: '' }, { name: 'norules.yaml', text: 'groups: [{name: x}]' }], owners, jobs)).not.toThrow();
    const e = configErrorOf(() => checkRuleJobs([ok, ruleFile('bad.yaml', [{ record: 'r', expr: 'sum(\n  redis_up\n)' }])], owners, jobs));
    expect(e.field).toBe('rules/bad.yaml, group "g", rule "r"');
    expect(e.value).toBe('sum( redis_up )');
    expect(e.problem).toContain('reads redis_up without the selector job="redis-exporter"');
    expect(e.fix).toBe('select the owning scrape job in every selector of an exporter\'s metric (e.g. pg_up{job="postgres-exporter"})');
    expect(configErrorOf(() => checkRuleJobs([ruleFile('a.yaml', [{ alert: 'A', record: 'ignored', expr: 'pg_up' }])], owners, jobs)).field).toBe('rules/a.yaml, group "g", rule "A"');
    // A block scalar's final newline is not part of the value shown.
    expect(configErrorOf(() => checkRuleJobs([{ name: 'block.yaml', text: 'groups:\n- name: g\n  rules:\n  - alert: B\n    expr: |\n      redis_up\n' }], owners, jobs)).value).toBe('redis_up');
    // A group without rules reads nothing, even for an owner of every metric.
    expect(() => checkRuleJobs([{ name: 'norules.yaml', text: 'groups: [{name: x}]' }, { name: 'nogroups.yaml', text: 'x: 1' }], [{ job: 'api', metrics: ['*'] }], jobs)).not.toThrow();
    // Both problems of one expression are reported together.
    expect(configErrorOf(() => checkRuleJobs([ruleFile('two.yaml', [{ alert: 'T', expr: 'pg_up{job="gone"}' }])], owners, jobs)).problem)
      .toBe('selects job="gone", which no scrape job is called (jobs: postgres-exporter, redis-exporter, api); reads pg_up without the selector job="postgres-exporter" (the only job that exports it; any other target could serve a forged pg_up)');
  });
});

describe('lean metrics: keep what is read', () => {
  const dashboard = (json: unknown) => ({ name: 'd', json: JSON.stringify(json) });

  test('queries: every record and alert expression, every panel target and every label_values query variable, with where they are', () => {
    const queries = metricQueries(
      [ruleFile('r.yaml', [{ record: 'rec', expr: 'sum(a_total)' }, { alert: 'Al', expr: 'b > 1' }]), { name: 'empty.yaml', text: '' }],
      [dashboard({
        panels: [{ title: 'P', targets: [{ refId: 'A', expr: 'rate(c_total[$__rate_interval])' }] }],
        templating: { list: [
          { type: 'query', name: 'v1', query: 'label_values(d_info, instance)' },
          { type: 'query', name: 'v2', query: { query: ' label_values( e_info{job=~"$job"} , pod ) ' } },
          { type: 'query', name: 'v3', query: 'query_result(f_total)' },
          { type: 'custom', name: 'v4', query: 'label_values(g_info, x)' },
          { type: 'query', name: 'v5' },
        ] },
      })],
    );
    expect(queries).toEqual([
      { where: 'rules/r.yaml, rule "rec"', expr: 'sum(a_total)' },
      { where: 'rules/r.yaml, rule "Al"', expr: 'b > 1' },
      { where: 'dashboards/d.json, panel "P" A', expr: 'rate(c_total[5m])' },
      { where: 'dashboards/d.json, variable "v1"', expr: 'd_info' },
      { where: 'dashboards/d.json, variable "v2"', expr: 'e_info{job=~".+"}' },
    ]);
  });

  test('queries: label_values must be the whole variable query, its label a name; groups without rules, dashboards without variables and empty variable entries give nothing', () => {
    const queries = metricQueries(
      [{ name: 'norules.yaml', text: 'groups: [{name: x}]' }, { name: 'nogroups.yaml', text: 'x: 1' }],
      [{ name: 'plain', json: JSON.stringify({ panels: [] }) }, { name: 'nolist', json: JSON.stringify({ templating: {} }) }, dashboard({
        templating: { list: [
          null,
          { type: 'query', name: 'w1', query: 'label_values(h_info{job="a", instance="b"},instance)' },
          { type: 'query', name: 'w2', query: 'my_label_values(i_info, x)' },
          { type: 'query', name: 'w3', query: 'label_values(j_info, x) + 1' },
          { type: 'query', name: 'w4', query: 'label_values(l_info, 1x)' },
          { type: 'query', name: 'w5', query: { query: 7 } },
        ] },
      })],
    );
    expect(queries).toEqual([{ where: 'dashboards/d.json, variable "w1"', expr: 'h_info{job="a", instance="b"}' }]);
  });

  test('names: every selector\'s metric; a selector without a fixed name is refused, naming where it is and the fix', () => {
    expect([...usedMetricNames([{ where: 'w', expr: 'a + rate(b[5m]) + a' }])].sort()).toEqual(['a', 'b']);
    const e = configErrorOf(() => usedMetricNames([{ where: 'dashboards/x.json, panel "P" A', expr: 'sum(\n {job="api"})' }]));
    expect(e.field).toBe('dashboards/x.json, panel "P" A');
    expect(e.value).toBe('sum( {job="api"})');
    expect(e.problem).toBe('selects series without a fixed metric name, so lean metrics cannot tell which series it reads');
    expect(e.fix).toBe('name the metric in the selector, or set metrics: full in the environment');
    expect(configErrorOf(() => usedMetricNames([{ where: 'w', expr: '\n {job="api"}\n' }])).value).toBe('{job="api"}');
    // A metric named by a quoted name alone (Prometheus 3) is a fixed name.
    expect([...usedMetricNames([{ where: 'w', expr: '{"c.d"}' }])]).toEqual(['c.d']);
  });

  test('keep list: the read names the job owns (exact or prefix), plus its allowlist, once each, sorted', () => {
    const used = new Set(['pg_up', 'pg_stat_x', 'redis_up', 'pgbouncer_y', 'zz_other']);
    expect(leanKeepList('postgres-exporter', ['pg_*', 'zz_other'], used)).toEqual([...new Set(['pg_stat_x', 'pg_up', 'zz_other', ...LEAN_ALLOWLIST['postgres-exporter']])].sort());
    expect(leanKeepList('some-job', ['redis_up'], used)).toEqual(['redis_up']);
    expect(leanKeepList('some-job', ['pg'], used)).toEqual([]);
  });

  test('relabelling: one keep rule of exact names for the lean jobs in lean mode; none in full mode or for other jobs', () => {
    const used = new Set(['redis_connected_clients']);
    expect(leanRelabelling('lean', 'redis-exporter', ['redis_*'], used)).toEqual([
      { source_labels: ['__name__'], regex: ['redis_connected_clients', ...LEAN_ALLOWLIST['redis-exporter']].sort().join('|'), action: 'keep' },
    ]);
    expect(leanRelabelling('full', 'redis-exporter', ['redis_*'], used)).toEqual([]);
    expect(leanRelabelling('lean', 'api', ['redis_*'], used)).toEqual([]);
  });
});

describe('rule files on disk', () => {
  test('loadRuleFiles reads the *.rules.yaml of the folder, not other files or subfolders, sorted by name (JavaScript order) whatever order the folder lists them in', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-files-'));
    try {
      // Node lists a folder in byte (UTF-8) order on Linux and in the file system's order elsewhere; the
      // result is in JavaScript string order on every platform, which differs from byte order above U+FFFF.
      const names = ['a.rules.yaml', 'b.rules.yaml', '\u{1F600}.rules.yaml', '\uFF21.rules.yaml'];
      for (const name of [...names].reverse()) fs.writeFileSync(path.join(dir, name), 'groups: []\n');
      fs.writeFileSync(path.join(dir, 'notes.yaml'), 'groups: []\n');
      fs.mkdirSync(path.join(dir, 'sub.rules.yaml.d'));
      fs.writeFileSync(path.join(dir, 'sub.rules.yaml.d', 'a.rules.yaml'), 'groups: []\n');
      expect(loadRuleFiles(dir).map((f) => f.name)).toEqual(names);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Issue 16: hardened against a compromised neighbour. Each block fails on the output before the
 * issue (no scrape limits, rules without job selectors, auth only when exposed, one uid for most
 * components, credentials in env and argv, node-exporter with hostPID, Grafana with the default
 * secret key, Secret volumes 0644).
 */
import { buildEnvironments } from '../lib/output/synth';
import { checkRuleJobs, jobSelectorProblems } from '../lib/content/rule-jobs';
import { parse } from 'yaml';
import { buildAllVariants, find, K8sObject, ROOT } from './support/app';

const variants = buildAllVariants();

function prometheusYml(objects: K8sObject[]): any {
  return parse(find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
}

describe('1. a target cannot starve or forge alerting', () => {
  test.each(variants.map((v) => [v.label, v.objects] as const))('%s: every scrape job has sample, label, label-length and body-size limits, honor_labels off, forged series dropped', (_l, objects) => {
    const jobs = prometheusYml(objects).scrape_configs as any[];
    expect(jobs.length).toBeGreaterThanOrEqual(6);
    for (const j of jobs) {
      expect({ job: j.job_name, honor_labels: j.honor_labels ?? false }).toEqual({ job: j.job_name, honor_labels: false });
      expect(j.sample_limit).toBeGreaterThan(0);
      expect(j.sample_limit).toBeLessThanOrEqual(50_000);
      expect(j.label_limit).toBeGreaterThan(0);
      expect(j.label_value_length_limit).toBeGreaterThan(0);
      expect(j.body_size_limit).toMatch(/^\d+MB$/);
      expect(j.metric_relabel_configs[0]).toEqual({ source_labels: ['__name__'], regex: 'up|scrape_.+|ALERTS|ALERTS_FOR_STATE|.*:.*', action: 'drop' });
    }
  });

  test('every shipped rule selects the job that owns its metrics', () => {
    for (const { objects } of variants) {
      const rules = find(objects, 'ConfigMap', 'prometheus-rules').data as Record<string, string>;
      const all = Object.values(rules).join('\n');
      expect(all).toContain('pg_up{job="postgres-exporter"} == 0');
      expect(all).toContain('redis_up{job="redis-exporter"} == 0');
      expect(all).not.toMatch(/[^_]pg_up == 0/);
    }
  });

  const owners = [{ job: 'postgres-exporter', metrics: ['pg_*'] }, { job: 'node-exporter', metrics: ['node_*'] }];
  const jobs = new Set(['postgres-exporter', 'node-exporter', 'nanoe-api']);
  test('the check refuses the old rules (no job selector), a wrong job, a regex job and an unknown job', () => {
    expect(jobSelectorProblems('pg_up == 0', owners, jobs)).toHaveLength(1);
    expect(jobSelectorProblems('pg_up{job="nanoe-api"} == 0', owners, jobs)).toHaveLength(1);
    expect(jobSelectorProblems('pg_up{job=~"postgres.*"} == 0', owners, jobs)).toHaveLength(1);
    expect(jobSelectorProblems('up{job="postgres"} == 0', owners, jobs)).toHaveLength(1);
    expect(jobSelectorProblems('sum by (instance) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m])) and pg_up{job="postgres-exporter"}', owners, jobs)).toEqual([]);
    expect(jobSelectorProblems('up == 0 and job:x:ratio > 1', owners, jobs)).toEqual([]);
    expect(() => checkRuleJobs([{ name: 'x.rules.yaml', text: 'groups:\n  - name: g\n    rules:\n      - alert: PostgresDown\n        expr: pg_up == 0\n' }], owners, jobs))
      .toThrow(/rules\/x\.rules\.yaml, group "g", rule "PostgresDown".*job="postgres-exporter"/);
  });

  test('synth checks the shipped rules against the scrape jobs of the wiring', () => {
    // A job declared in the wiring that owns a metric a shipped rule reads without selecting it.
    expect(() => buildEnvironments({
      root: ROOT, environments: ['dev'],
      extend: (s) => s.prometheus.scrape({ job: 'other', workload: s.prometheus.workload, portName: 'web', ownsMetrics: ['up'] }),
    })[0].stack.toJson()).toThrow(/rule "InstanceDown".*reads up without the selector job="other"/);
  });
});

/**
 * Issue 16: hardened against a compromised neighbour. Each block fails on the output before the
 * issue (no scrape limits, rules without job selectors, auth only when exposed, one uid for most
 * components, credentials in env and argv, node-exporter with hostPID, Grafana with the default
 * secret key, Secret volumes 0644).
 */
import { buildEnvironments } from '../lib/output/synth';
import { checkRuleJobs, jobSelectorProblems } from '../lib/content/rule-jobs';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { SYNC_ADMIN_PASSWORD_SCRIPT } from '../lib/components/grafana';
import { restoreJob } from '../lib/components/restore-job';
import { allOptions, buildAllVariants, configWith, find, K8sObject, objectsOf, ROOT } from './support/app';

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

const workloads = (objects: K8sObject[]) => objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job'].includes(o.kind));
const podOf = (o: K8sObject): any => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

describe('2. every state-changing API needs credentials, in cluster too', () => {
  test.each(variants.map((v) => [v.label, v.objects] as const))('%s: Prometheus and Alertmanager always run with a web config; no lifecycle API; every client authenticates', (_l, objects) => {
    for (const name of ['prometheus', 'alertmanager']) {
      const c = podOf(find(objects, 'StatefulSet', name)).containers[0];
      expect(c.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
      expect(c.args).not.toContain('--web.enable-lifecycle');
    }
    const yml = prometheusYml(objects);
    for (const j of yml.scrape_configs.filter((x: any) => ['prometheus', 'alertmanager'].includes(x.job_name))) expect(j.basic_auth.password_file).toMatch(/\/password$/);
    expect(yml.alerting.alertmanagers[0].basic_auth.password_file).toMatch(/\/password$/);
  });
});

describe('3. one identity per component; credentials as files', () => {
  test.each(variants.map((v) => [v.label, v.objects] as const))('%s: distinct uids, no hostPID, no secret in argv or env', (_l, objects) => {
    const uidOf = (name: string, kind: string) => { const p = podOf(find(objects, kind, name)); return p.containers[0].securityContext.runAsUser ?? p.securityContext.runAsUser; };
    const uids = [uidOf('prometheus', 'StatefulSet'), uidOf('alertmanager', 'StatefulSet'), uidOf('grafana', 'Deployment'), uidOf('node-exporter', 'DaemonSet')];
    expect(new Set(uids).size).toBe(uids.length);
    for (const o of workloads(objects)) {
      const p = podOf(o);
      expect({ name: o.metadata.name, hostPID: p.hostPID ?? false }).toEqual({ name: o.metadata.name, hostPID: false });
      for (const c of [...(p.initContainers ?? []), ...p.containers]) {
        if (o.metadata.namespace === 'nanoe' && !c.name.endsWith('-exporter')) continue; // the backend's own containers
        expect((c.args ?? []).join(' ')).not.toMatch(/\$\([A-Z_]*PASSWORD\)|:\/\/[^/\s]*:[^/\s]*@/);
        const secretEnv = (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef || /PASSWORD$/.test(e.name)).map((e: any) => e.name);
        expect({ c: c.name, secretEnv }).toEqual({ c: c.name, secretEnv: [] });
      }
    }
    const ne = podOf(find(objects, 'DaemonSet', 'node-exporter')).containers[0];
    expect(ne.args).toContain('--web.listen-address=$(NODE_IP):9100');
  });
});

describe('4. Grafana hardened', () => {
  test('secret key from a Secret, /metrics off, external snapshots and public dashboards off, admin password synced on every start', () => {
    for (const { objects } of variants) {
      const p = podOf(find(objects, 'Deployment', 'grafana'));
      const env = Object.fromEntries(p.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({
        GF_SECURITY_SECRET_KEY__FILE: '/etc/grafana/secrets/secret-key/secret-key', GF_METRICS_ENABLED: 'false',
        GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false', GF_PUBLIC_DASHBOARDS_ENABLED: 'false',
      });
      expect(p.volumes).toContainEqual({ name: 'secret-key', secret: { secretName: 'grafana-secret-key', items: [{ key: 'secret-key', path: 'secret-key' }], defaultMode: 0o440 } });
      expect(p.initContainers[0].command).toEqual(['sh', '-c', SYNC_ADMIN_PASSWORD_SCRIPT]);
      expect(SYNC_ADMIN_PASSWORD_SCRIPT).toContain('admin reset-admin-password --password-from-stdin < "$GF_SECURITY_ADMIN_PASSWORD__FILE"');
    }
  });
});

describe('5. secrets stay secrets', () => {
  /** The restore Jobs (not in dist: `restoreJob()` renders them on demand), from the volume and from S3. */
  const restoreJobs = (label: string): K8sObject[] => {
    const env = buildEnvironments({ root: ROOT, configFile: configWith(allOptions) }).find((e) => label.startsWith(e.config.name));
    if (!env?.config.backup.enabled) return [];
    return (['prometheus', 'grafana'] as const).flatMap((c) => [false, true].map((fromS3) => restoreJob(c, '20261124T101500Z', env.config, { fromS3 }) as K8sObject));
  };
  test.each(variants.map((v) => [v.label, v.objects] as const))('%s: every Secret volume (and every item, and every projected Secret) is mode 0440', (label, objects) => {
    const pods = [...workloads(objects), ...objects.filter((x) => x.kind === 'StatefulSet' && x.metadata.namespace === 'nanoe'), ...restoreJobs(label)];
    let seen = 0;
    for (const o of pods) {
      for (const v of podOf(o).volumes ?? []) {
        const secrets = [v.secret, ...(v.projected?.sources ?? []).map((s: any) => s.secret)].filter(Boolean);
        for (const s of secrets) {
          seen++;
          const modes = [s.defaultMode ?? v.projected?.defaultMode, ...(s.items ?? []).filter((i: any) => i.mode !== undefined).map((i: any) => i.mode)];
          expect({ o: o.metadata.name, v: v.name, modes }).toEqual({ o: o.metadata.name, v: v.name, modes: modes.map(() => 0o440) });
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  test('a backend namespace the stack creates enforces Pod Security "baseline" and warns and audits at "restricted"', () => {
    const [env] = buildEnvironments({ root: ROOT, configFile: configWith((d) => { d.defaults.backend.createNamespace = true; }) });
    const ns = find(objectsOf(env), 'Namespace', env.config.backend.namespace);
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });
});

describe('the Grafana admin-password sync never keeps Grafana from starting', () => {
  // The script under dash, with a stand-in for the `grafana` CLI (no Grafana build exists here) that
  // records what it got on stdin and exits as told: the real CLI fails on a database without an admin.
  test.each([[0, ''], [1, 'was not set from the Secret']])('CLI exit %s: the init container exits 0 (%s)', (exit, warning) => {
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-grafana-sync-'));
    writeFileSync(join(dir, 'grafana'), `#!/bin/sh\ncat > "${dir}/stdin"\nexit ${exit}\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'admin-password'), 's3cret/?#%');
    const r = spawnSync('dash', ['-c', SYNC_ADMIN_PASSWORD_SCRIPT], {
      encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, GF_SECURITY_ADMIN_PASSWORD__FILE: join(dir, 'admin-password') },
    });
    expect([r.status, readFileSync(join(dir, 'stdin'), 'utf8'), r.stderr.includes('was not set from the Secret')]).toEqual([0, 's3cret/?#%', warning !== '']);
  });
});

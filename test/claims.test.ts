/**
 * Issue 14, item 1: every behaviour the README states, guarded by a focused test whose name says the
 * behaviour — in particular the ones a mutation spot-check found guarded only by the whole-output
 * snapshot, or not at all. Limits are tested at the limit: just inside and just outside.
 *
 * Every build happens inside its test (never at module load), so that the mutation run
 * (`npm run mutate`, per-test coverage) credits each kill to the test that makes it.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Grafana } from '../lib/components/grafana';
import { resolveConfig } from '../lib/config/load';
import { EnvironmentConfig } from '../lib/config/types';
import { buildEnvironments } from '../lib/output/synth';
import { Wiring } from '../lib/wiring/wiring';
import { find, K8sObject, objectsOf, podSpecOf, ROOT, WORKLOAD_KINDS } from './support/app';

/** The default config document, parsed afresh (tests edit it). */
const defaultDoc = (): any => parse(readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8'));
/** Resolves the default config changed by `edit`; returns the environment `name`. */
function resolveWith(edit: (d: any) => void, name = 'dev'): EnvironmentConfig {
  const d = defaultDoc();
  edit(d);
  return resolveConfig(d, [name])[0];
}
/** Builds one environment of the default config (optionally edited) and returns its objects. */
function objectsWith(name: string, edit?: (d: any) => void, extend?: Parameters<typeof buildEnvironments>[0]['extend']): K8sObject[] {
  let configFile: string | undefined;
  if (edit) {
    const { configWith } = require('./support/app');
    configFile = configWith(edit);
  }
  const [env] = buildEnvironments({ root: ROOT, configFile, environments: [name], extend });
  return objectsOf(env);
}

describe('refusals that need a whole build', () => {
  test('a duplicate scrape job is refused, naming the job', () => {
    expect(() => objectsWith('dev', undefined, (stack) => {
      stack.prometheus.scrape({ job: 'nanoe-api', workload: stack.prometheus.workload, portName: 'web' });
    })).toThrow(/scrape job: "nanoe-api" is declared twice — give every scrape target its own job name/);
    // A new job name on the same pods is fine: the check is on the name.
    const objs = objectsWith('dev', undefined, (stack) => { stack.prometheus.scrape({ job: 'prometheus-2', workload: stack.prometheus.workload, portName: 'web' }); });
    expect(parse(find(objs, 'ConfigMap', 'prometheus-config').data['prometheus.yml']).scrape_configs.map((j: any) => j.job_name)).toContain('prometheus-2');
  });

});

describe('Grafana: sign-up off, provisioning hash over datasources and dashboards', () => {
  test('anonymous access and sign-up are off', () => {
    const c = podSpecOf(find(objectsWith('dev'), 'Deployment', 'grafana')).containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
  });

  test('the provisioning hash changes when the datasource changes (not only the dashboards)', () => {
    const hashWith = (serviceName: string) => {
      const chart = new Chart(Testing.app(), 'c');
      const wiring = new Wiring();
      const prometheus = wiring.addWorkload({ id: 'p', namespace: 'monitoring', podLabels: { a: 'b' }, owned: true, ports: [{ name: 'web', port: 9090 }] });
      const env = resolveWith(() => {});
      new Grafana(chart, 'g', { config: env.grafana, ingress: env.network.ingress, namespace: 'monitoring', wiring, scrapeInterval: '30s', dashboards: [{ name: 'x', json: '{}' }], prometheus: { workload: prometheus, serviceName, portName: 'web', basicAuth: { username: 'nanoe', passwordSecret: 'prometheus-web-auth' } } });
      const deploy = (chart.toJson() as K8sObject[]).find((o) => o.kind === 'Deployment')!;
      return deploy.spec.template.metadata.annotations['nanoe-monitoring/provisioning-sha256'];
    };
    expect(hashWith('prometheus')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashWith('prometheus')).toBe(hashWith('prometheus'));
    expect(hashWith('prometheus-other')).not.toBe(hashWith('prometheus'));
  });
});

describe('data volumes survive deletion and scale-down', () => {
  test('Prometheus and Alertmanager StatefulSets retain their claims when deleted and when scaled down', () => {
    const objs = objectsWith('prod');
    for (const name of ['prometheus', 'alertmanager']) {
      expect([name, find(objs, 'StatefulSet', name).spec.persistentVolumeClaimRetentionPolicy]).toEqual([name, { whenDeleted: 'Retain', whenScaled: 'Retain' }]);
    }
  });
});

describe('exporter credentials come only from Secrets', () => {
  test('postgres-exporter takes user and password from the credentials Secret, never as literals', () => {
    const pg = podSpecOf(find(objectsWith('dev'), 'StatefulSet', 'postgres', 'nanoe')).containers.find((c: any) => c.name === 'postgres-exporter');
    const env = Object.fromEntries(pg.env.map((e: any) => [e.name, e]));
    // As files from the Secret's volume (never env values or literals): DATA_SOURCE_*_FILE.
    expect([env.DATA_SOURCE_USER, env.DATA_SOURCE_PASS]).toEqual([undefined, undefined]);
    expect(env.DATA_SOURCE_USER_FILE).toEqual({ name: 'DATA_SOURCE_USER_FILE', value: '/etc/postgres-exporter/credentials/username' });
    expect(env.DATA_SOURCE_PASS_FILE).toEqual({ name: 'DATA_SOURCE_PASS_FILE', value: '/etc/postgres-exporter/credentials/password' });
    const volume = podSpecOf(find(objectsWith('dev'), 'StatefulSet', 'postgres', 'nanoe')).volumes.find((v: any) => v.name === 'postgres-exporter-credentials');
    expect(volume.secret.secretName).toBe('postgres-exporter-credentials');
  });
});

describe('Prometheus flags and labels', () => {
  const promArgs = (objs: K8sObject[]) => podSpecOf(find(objs, 'StatefulSet', 'prometheus')).containers.find((c: any) => c.name === 'prometheus').args as string[];

  test('the admin API is on exactly when backups are (the snapshot API needs it)', () => {
    expect(promArgs(objectsWith('dev'))).toContain('--web.enable-admin-api');
    expect(promArgs(objectsWith('dev', (d) => { d.defaults.backup.enabled = false; }))).not.toContain('--web.enable-admin-api');
  });

  test('retention by time and size from the config, and reload in place without a lifecycle API (auto-reload)', () => {
    const args = promArgs(objectsWith('prod'));
    expect(args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=30d', '--storage.tsdb.retention.size=80GB', '--enable-feature=auto-reload-config']));
    expect(args).not.toContain('--web.enable-lifecycle');
  });

  test('every replica carries the `replica` external label (the pod name) for HA deduplication, and the environment label', () => {
    const config = parse(find(objectsWith('prod'), 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(config.global.external_labels).toEqual({ environment: 'prod', replica: '${POD_NAME}' });
  });
});

describe('Grafana Ingress in prod: TLS and the cert-manager issuer', () => {
  test('the Ingress carries cert-manager.io/cluster-issuer with the configured issuer', () => {
    const objs = objectsWith('prod');
    const issuer = resolveWith(() => {}, 'prod').network.ingress.clusterIssuer;
    expect(issuer).toBeTruthy();
    expect(find(objs, 'Ingress', 'grafana').metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': issuer });
    expect(find(objectsWith('prod', (d) => { d.environments.prod.network.ingress.clusterIssuer = null; }), 'Ingress', 'grafana').metadata.annotations).toBeUndefined();
  });
});

describe('exact counts and labels of the default dev output', () => {
  test('dev renders exactly these objects per kind', () => {
    const counts: Record<string, number> = {};
    for (const o of objectsWith('dev')) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    expect(counts).toEqual(EXPECTED_DEV_KINDS);
  });

  test('every workload of the stack carries app.kubernetes.io/name and component labels with their exact values', () => {
    const objs = objectsWith('dev');
    const labels = objs.filter((o) => WORKLOAD_KINDS.has(o.kind) && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'nanoe-monitoring')
      .map((o) => [o.kind, o.metadata.name, o.metadata.labels!['app.kubernetes.io/name'], o.metadata.labels!['app.kubernetes.io/component']]);
    expect(labels).toEqual(EXPECTED_DEV_WORKLOAD_LABELS);
  });
});

describe('Pod Security restricted: no container may leave runAsNonRoot unset', () => {
  test('every container of every pod in the monitoring namespace runs as non-root with a numeric uid, whatever level sets it', () => {
    for (const o of objectsWith('prod').filter((x) => WORKLOAD_KINDS.has(x.kind) && x.metadata.namespace === 'monitoring')) {
      const spec = podSpecOf(o);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const ctx = { ...spec.securityContext, ...c.securityContext };
        expect([o.metadata.name, c.name, ctx.runAsNonRoot, typeof ctx.runAsUser, ctx.runAsUser === 0]).toEqual([o.metadata.name, c.name, true, 'number', false]);
      }
    }
  });
});

/** Exact kinds of dev (default config): a change here is a deliberate change of the output. */
const EXPECTED_DEV_KINDS: Record<string, number> = {
  Namespace: 2, PriorityClass: 1, ClusterRole: 1, ClusterRoleBinding: 1, ServiceAccount: 1, Service: 13, ConfigMap: 8, StatefulSet: 4, Role: 3, RoleBinding: 3, PersistentVolumeClaim: 3, Deployment: 1, DaemonSet: 2, CronJob: 2, NetworkPolicy: 12,
}; // 54 objects

/** [kind, name, app.kubernetes.io/name, app.kubernetes.io/component] of the stack's own workloads in dev. */
const EXPECTED_DEV_WORKLOAD_LABELS: string[][] = [
  ['StatefulSet', 'prometheus', 'prometheus', 'server'],
  ['StatefulSet', 'alertmanager', 'alertmanager', 'alerting'],
  ['Deployment', 'grafana', 'grafana', 'dashboards'],
  ['DaemonSet', 'node-exporter', 'node-exporter', 'node-agent'],
  ['DaemonSet', 'cadvisor', 'cadvisor', 'node-agent'],
  ['CronJob', 'prometheus-backup', 'prometheus-backup', 'backup'],
  ['CronJob', 'grafana-backup', 'grafana-backup', 'backup'],
];

describe('README "Before the first apply": the network facts and what catches them when wrong', () => {
  test('config/environments.yaml says, next to nodeCidr and apiServerCidr, which kubectl command gives their real value', () => {
    const lines = readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8').split('\n');
    const commentsAbove = (field: string) => {
      const i = lines.findIndex((l) => l.trim().startsWith(`${field}:`));
      expect(i).toBeGreaterThan(0);
      const out: string[] = [];
      for (let j = i - 1; j >= 0 && lines[j].trim().startsWith('#'); j--) out.unshift(lines[j]);
      return out.join('\n');
    };
    expect(commentsAbove('nodeCidr')).toContain('`kubectl get nodes -o wide`');
    expect(commentsAbove('apiServerCidr')).toContain('`kubectl get endpointslices -n default kubernetes`');
  });

  test('Prometheus finds Alertmanager through Kubernetes discovery (a blocked API server silences every alert), and Watchdog goes first to the dead-man\'s switch', () => {
    const prom = parse(find(objectsWith('prod'), 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(prom.alerting.alertmanagers.every((a: any) => Array.isArray(a.kubernetes_sd_configs))).toBe(true);
    const watchdog = parse(readFileSync(join(ROOT, 'rules', 'watchdog.rules.yaml'), 'utf8')).groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === 'Watchdog');
    expect(watchdog.expr).toBe('vector(1)');
    const am = parse(readFileSync(join(ROOT, 'examples', 'alertmanager', 'alertmanager.yml'), 'utf8'));
    expect(am.route.routes[0]).toMatchObject({ receiver: 'deadmans-switch', matchers: ['alertname="Watchdog"'], repeat_interval: '5m' });
    expect(am.receivers.find((r: any) => r.name === 'deadmans-switch').webhook_configs[0].url_file).toBe('/etc/alertmanager/deadmans-switch-url');
  });
});

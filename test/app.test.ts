import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { EnvironmentApp } from '../lib/output/synth';
import { buildDefault, find, K8sObject, objectsOf, podSpecOf, WORKLOAD_KINDS } from './support/app';
import { validateK8sObject } from './support/k8s-schema';
import { pinnedBinary } from './support/pinned';
import { promtoolCheckConfig } from './support/promtool';

const envs = buildDefault();

const byName = (name: string): EnvironmentApp => envs.find((e) => e.config.name === name)!;
const dev = objectsOf(byName('dev'));
const prod = objectsOf(byName('prod'));
const STACK_NAMES = ['prometheus', 'grafana', 'alertmanager', 'node-exporter', 'cadvisor'];
/** Objects that come from the backend's own manifests (only patched by us). */
const isBackendObject = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'nanoe';

describe('the default app', () => {
  test('has dev and prod, differing in sizes, replicas and retention', () => {
    expect(envs.map((e) => e.config.name)).toEqual(['dev', 'prod']);
    const sts = (objs: K8sObject[]) => find(objs, 'StatefulSet', 'prometheus', 'monitoring');
    expect(sts(dev).spec.replicas).toBe(1);
    expect(sts(prod).spec.replicas).toBe(2);
    expect(sts(dev).spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(sts(prod).spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('100Gi');
    expect(sts(prod).spec.template.spec.containers[0].args).toContain('--storage.tsdb.retention.time=30d');
  });

  // A change detector only (every behaviour has a focused test); the mutation run switches it off
  // (NANOE_SNAPSHOT=off) so that a mutant counts as killed only when a focused test catches it.
  (process.env.NANOE_SNAPSHOT === 'off' ? test.skip : test)('matches the snapshot of the whole output', () => {
    for (const e of envs) expect(e.app.synthYaml()).toMatchSnapshot(e.config.name);
  });

  test('every object validates against the Kubernetes 1.27 and 1.31 schemas, unknown fields refused', () => {
    const errors = [...dev, ...prod].flatMap((o) => [...validateK8sObject(o, '1.27.0'), ...validateK8sObject(o, '1.31.0')]);
    expect(errors).toEqual([]);
    expect(dev.length).toBeGreaterThan(40);
  });

  test('Namespaces come first in apply order, then everything else', () => {
    const firstOther = dev.findIndex((o) => o.kind !== 'Namespace');
    // The backend's namespace belongs to the backend (backend.createNamespace is off by default).
    expect(dev.slice(0, firstOther).map((o) => o.metadata.name)).toEqual(['monitoring', 'monitoring-node-agents']);
    expect(dev.slice(firstOther).some((o) => o.kind === 'Namespace')).toBe(false);
    const monitoring = find(dev, 'Namespace', 'monitoring');
    expect(monitoring.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('the node agents run at a PriorityClass of their own (system-node-critical is refused outside kube-system on GKE)', () => {
    const pc = find(dev, 'PriorityClass', 'nanoe-monitoring-node-agents');
    expect([pc.value, pc.globalDefault]).toEqual([1_000_000_000, false]);
    // First in the scheduling queue, but never evicting a backend pod to make room.
    for (const env of [dev, prod]) expect(find(env, 'PriorityClass', 'nanoe-monitoring-node-agents').preemptionPolicy).toBe('Never');
    for (const name of ['node-exporter', 'cadvisor']) expect(podSpecOf(find(dev, 'DaemonSet', name)).priorityClassName).toBe('nanoe-monitoring-node-agents');
  });

  test('every object the library creates carries the standard labels and is namespaced', () => {
    for (const o of dev.filter((x) => !isBackendObject(x))) {
      const l = o.metadata.labels ?? {};
      expect([o.kind, o.metadata.name, l['app.kubernetes.io/part-of'], l['app.kubernetes.io/managed-by']]).toEqual([o.kind, o.metadata.name, 'nanoe-monitoring', 'cdk8s']);
      expect(l['app.kubernetes.io/name']).toBeTruthy();
      expect(l['app.kubernetes.io/component']).toBeTruthy();
      const clusterScoped = new Set(['Namespace', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding']);
      if (!clusterScoped.has(o.kind)) expect(o.metadata.namespace).toMatch(/^(monitoring|monitoring-node-agents|nanoe)$/);
    }
    for (const name of STACK_NAMES) {
      const w = dev.find((o) => WORKLOAD_KINDS.has(o.kind) && o.metadata.name === name)!;
      expect(w.metadata.labels!['app.kubernetes.io/name']).toBe(name);
    }
  });

  test('selectors use only explicit labels, and names carry no hashes', () => {
    const text = JSON.stringify(dev);
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    for (const o of dev) expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6,}$|-[0-9a-f]{8}$/);
  });

  test('every container is pinned, has requests and limits, a numeric user when non-root, and a read-only root', () => {
    const containers = [...dev, ...prod].filter((o) => WORKLOAD_KINDS.has(o.kind)).flatMap((o) => {
      const spec = podSpecOf(o);
      return [...spec.containers, ...(spec.initContainers ?? [])].map((c: any) => ({ c, pod: spec }));
    });
    expect(containers.length).toBeGreaterThan(10);
    for (const { c, pod } of containers) {
      expect(c.image).toMatch(/:[\w][\w.-]*$|@sha256:/);
      expect(c.image).not.toMatch(/:latest$/);
      expect(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.cpu && c.resources?.limits?.memory).toBeTruthy();
      const ctx = { ...pod.securityContext, ...c.securityContext };
      if (ctx.runAsNonRoot) expect(typeof ctx.runAsUser).toBe('number');
      if (c.name !== 'postgres') expect([c.name, ctx.readOnlyRootFilesystem]).toEqual([c.name, true]); // the backend's postgres image writes to its root
    }
  });

  test('no literal password, token or admin/admin anywhere in the output', () => {
    const yaml = envs.map((e) => e.app.synthYaml()).join('\n');
    expect(yaml).not.toMatch(/admin\/admin|GF_SECURITY_ADMIN_PASSWORD\n\s*value:|password:\s*(?!\$__file\{)\S+\n/i);
    const secretsAsData = [...dev, ...prod].filter((o) => o.kind === 'Secret');
    expect(secretsAsData).toEqual([]);
  });
});

describe('Prometheus', () => {
  const sts = find(dev, 'StatefulSet', 'prometheus', 'monitoring');
  const prom = sts.spec.template.spec.containers.find((c: any) => c.name === 'prometheus');

  test('is a StatefulSet on port 9090 with a retained prometheus-data claim and both retentions', () => {
    expect(prom.ports).toEqual([{ name: 'web', containerPort: 9090, protocol: 'TCP' }]);
    expect(sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(['prometheus-data']);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(prom.args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=7d', '--storage.tsdb.retention.size=16GB']));
    expect(prom.volumeMounts).toContainEqual({ name: 'prometheus-data', mountPath: '/prometheus' });
    // Every HTTP endpoint asks for credentials (web config), so the probes are TCP.
    expect(prom.readinessProbe.tcpSocket.port).toBe('web');
    expect(prom.livenessProbe.tcpSocket.port).toBe('web');
    expect(prom.securityContext.runAsUser).toBe(10090);
  });

  test('reloads config and rules in place by itself: no reloader sidecar, no lifecycle API, no config hash rolls the pods', () => {
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['prometheus']);
    expect(prom.args).toEqual(expect.arrayContaining(['--enable-feature=auto-reload-config', '--config.auto-reload-interval=30s']));
    expect(prom.args).not.toContain('--web.enable-lifecycle');
    expect(sts.spec.template.metadata.annotations).toBeUndefined();
  });

  test('discovery RBAC is namespaced and read-only, for exactly the namespaces it scrapes; the kubelet scrape gets nodes list/watch and nodes/metrics get only', () => {
    const roles = dev.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['monitoring', 'monitoring-node-agents', 'nanoe']);
    // The endpointslice role watches pods, services and endpointslices; the deprecated Endpoints API is not used.
    for (const r of roles) {
      expect(r.rules).toEqual([
        { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ]);
    }
    const clusterRoles = dev.filter((o) => o.kind === 'ClusterRole');
    expect(clusterRoles.map((r) => [r.metadata.name, r.rules])).toEqual([['nanoe-monitoring-prometheus-kubelet-monitoring', [
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]]]);
    const clusterBindings = dev.filter((o) => o.kind === 'ClusterRoleBinding');
    expect(clusterBindings.map((b) => [b.roleRef.name, b.subjects])).toEqual([['nanoe-monitoring-prometheus-kubelet-monitoring', [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]]]);
    const bindings = dev.filter((o) => o.kind === 'RoleBinding');
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
  });

  test('prometheus.yml has one job per typed target, each with its own headless Service port', () => {
    const config = parse(find(dev, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    const jobs = config.scrape_configs.map((j: any) => j.job_name);
    expect(jobs).toEqual(['prometheus', 'alertmanager', 'node-exporter', 'cadvisor', 'postgres-exporter', 'redis-exporter', 'nanoe-api', 'kubelet']);
    const kubelet = config.scrape_configs.pop();
    // The kubelet: every node's own address, HTTPS with the service account token, verified against the cluster CA.
    expect(kubelet).toMatchObject({
      scheme: 'https', kubernetes_sd_configs: [{ role: 'node' }],
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
    });
    expect(kubelet.tls_config.insecure_skip_verify).toBeUndefined();
    for (const job of config.scrape_configs) {
      const service = find(dev, 'Service', `${job.job_name}-metrics`);
      const portName = job.relabel_configs.find((r: any) => r.source_labels[0] === '__meta_kubernetes_endpointslice_port_name').regex;
      expect(job.kubernetes_sd_configs[0].role).toBe('endpointslice');
      expect(service.spec.ports.map((p: any) => p.name)).toEqual([portName]);
      expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual([service.metadata.namespace]);
    }
    const rules = find(dev, 'ConfigMap', 'prometheus-rules');
    expect(config.rule_files).toEqual(Object.keys(rules.data).sort().map((n) => `/etc/prometheus/rules/${n}`));
    expect(config.rule_files.length).toBeGreaterThanOrEqual(3);
  });

  test('prometheus.yml and every rule file pass promtool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-rules-'));
    for (const e of envs) {
      const objs = objectsOf(e);
      const rules = find(objs, 'ConfigMap', 'prometheus-rules').data as Record<string, string>;
      for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
      const ruleCheck = spawnSync(pinnedBinary('promtool'), ['check', 'rules', ...Object.keys(rules).map((n) => join(dir, n))], { encoding: 'utf8' });
      expect({ status: ruleCheck.status, out: ruleCheck.stdout + ruleCheck.stderr }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
      const config = parse(find(objs, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
      expect(promtoolCheckConfig(config, rules)).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
    }
  });

  test('the pinned promtool checks Kubernetes discovery itself (nothing is stripped before it runs)', () => {
    const job = (sd: Record<string, unknown>) => ({ scrape_configs: [{ job_name: 'x', kubernetes_sd_configs: [sd] }] });
    expect(promtoolCheckConfig(job({ role: 'endpointslice', namespaces: { names: ['x'] } }), {}).status).toBe(0);
    for (const bad of [{ role: 'pods' }, { role: 'endpoints', namespace: { names: ['x'] } }, { role: 'endpoints', namespaces: { name: ['x'] } }]) {
      expect({ bad, status: promtoolCheckConfig(job(bad), {}).status }).toEqual({ bad, status: 1 });
    }
  });

  test('prod spreads its two replicas over nodes where it can (preferred, never required) and keeps one up during disruptions', () => {
    const sts = find(prod, 'StatefulSet', 'prometheus');
    const anti = sts.spec.template.spec.affinity.podAntiAffinity;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: sts.spec.selector.matchLabels } } }]);
    expect(find(prod, 'PodDisruptionBudget', 'prometheus').spec.maxUnavailable).toBe(1);
    expect(dev.find((o) => o.kind === 'PodDisruptionBudget')).toBeUndefined();
  });
});

describe('Alertmanager', () => {
  test('takes its whole configuration from the operator Secret and keeps silences on a volume', () => {
    const sts = find(dev, 'StatefulSet', 'alertmanager');
    const spec = sts.spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'config', secret: { secretName: 'alertmanager-config', defaultMode: 0o440 } }); // every key: alertmanager.yml and the url_file/password_file it names
    expect(spec.containers[0].ports).toEqual([{ name: 'web', containerPort: 9093, protocol: 'TCP' }]);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('alertmanager-data');
    const config = parse(find(dev, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(config.alerting.alertmanagers[0].relabel_configs[0].regex).toBe('alertmanager');
  });
});

describe('Grafana', () => {
  const deploy = find(dev, 'Deployment', 'grafana');
  const c = deploy.spec.template.spec.containers[0];

  test('one Recreate replica on port 3000 with the grafana-data claim', () => {
    expect([deploy.spec.replicas, deploy.spec.strategy.type]).toEqual([1, 'Recreate']);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(find(dev, 'PersistentVolumeClaim', 'grafana-data').spec.resources.requests.storage).toBe('5Gi');
    expect(deploy.spec.template.spec.volumes).toContainEqual({ name: 'grafana-data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    expect(c.securityContext.runAsUser).toBe(472);
  });

  test('admin credentials come only from the Secret; anonymous access is off', () => {
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    // As files from the Secret (mode 0440), never in the environment.
    expect(env.GF_SECURITY_ADMIN_USER__FILE.value).toBe('/etc/grafana/secrets/admin-credentials/admin-user');
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE.value).toBe('/etc/grafana/secrets/admin-credentials/admin-password');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBeUndefined();
    expect(deploy.spec.template.spec.volumes).toContainEqual({ name: 'admin', secret: { secretName: 'grafana-admin', items: [{ key: 'admin-user', path: 'admin-user' }, { key: 'admin-password', path: 'admin-password' }], defaultMode: 0o440 } });
    expect(env.GF_AUTH_ANONYMOUS_ENABLED.value).toBe('false');
  });

  test('provisions the Prometheus datasource with a fixed uid and the four dashboards, one ConfigMap each', () => {
    const prov = find(dev, 'ConfigMap', 'grafana-provisioning');
    const ds = parse(prov.data['datasources.yaml']).datasources[0];
    expect(ds).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus.monitoring.svc:9090', editable: false });
    const dashboards = dev.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-dashboard-'));
    expect(dashboards.map((d) => d.metadata.name).sort()).toEqual(['grafana-dashboard-api', 'grafana-dashboard-postgresql', 'grafana-dashboard-redis', 'grafana-dashboard-system']);
    const projected = deploy.spec.template.spec.volumes.find((v: any) => v.name === 'dashboards').projected.sources.map((s: any) => s.configMap.name);
    expect(projected.sort()).toEqual(dashboards.map((d) => d.metadata.name).sort());
    for (const d of dashboards) expect(Buffer.byteLength(Object.values(d.data as Record<string, string>)[0])).toBeLessThan(200_000);
  });

  test('the provisioning hash annotation changes when a dashboard changes', () => {
    const hash = deploy.spec.template.metadata.annotations['nanoe-monitoring/provisioning-sha256'];
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const { Grafana } = require('../lib/components/grafana');
    const { Chart, Testing } = require('cdk8s');
    const { Wiring } = require('../lib/wiring/wiring');
    const hashWith = (json: string) => {
      const chart = new Chart(Testing.app(), 'c');
      const wiring = new Wiring();
      const prometheus = wiring.addWorkload({ id: 'p', namespace: 'monitoring', podLabels: { a: 'b' }, owned: true, ports: [{ name: 'web', port: 9090 }] });
      new Grafana(chart, 'g', { config: byName('dev').config.grafana, namespace: 'monitoring', wiring, scrapeInterval: '30s', dashboards: [{ name: 'x', json }], prometheus: { workload: prometheus, serviceName: 'prometheus', portName: 'web', basicAuth: { username: 'nanoe', passwordSecret: 'prometheus-web-auth' } } });
      return (chart.toJson() as K8sObject[]).find((o) => o.kind === 'Deployment')!.spec.template.metadata.annotations['nanoe-monitoring/provisioning-sha256'];
    };
    expect(hashWith('{"a":1}')).not.toBe(hashWith('{"a":2}'));
    expect(hashWith('{"a":1}')).toBe(hashWith('{"a":1}'));
  });

  test('prod has a TLS Ingress; dev has none', () => {
    const ing = find(prod, 'Ingress', 'grafana');
    expect(ing.spec.tls).toEqual([{ hosts: ['grafana.nanoe.example.com'], secretName: 'grafana-tls' }]);
    expect(dev.find((o) => o.kind === 'Ingress')).toBeUndefined();
  });
});

describe('node agents', () => {
  test.each([['node-exporter', 9100], ['cadvisor', 8080]])('%s runs on every node, tolerating taints, with read-only host mounts', (name, port) => {
    const ds = find(dev, 'DaemonSet', name as string, 'monitoring-node-agents');
    const spec = ds.spec.template.spec;
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.containers[0].ports[0].containerPort).toBe(port);
    for (const m of spec.containers[0].volumeMounts) expect(m.readOnly).toBe(true);
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('keep series down: node-exporter skips virtual filesystems and devices, cAdvisor drops unused groups', () => {
    const ne = find(dev, 'DaemonSet', 'node-exporter').spec.template.spec.containers[0].args.join(' ');
    expect(ne).toMatch(/--collector\.filesystem\.fs-types-exclude=.*tmpfs/);
    expect(ne).toMatch(/--collector\.netdev\.device-exclude=.*veth/);
    const ca = find(dev, 'DaemonSet', 'cadvisor').spec.template.spec.containers[0].args;
    expect(ca).toContain('--housekeeping_interval=30s');
    expect(ca.find((a: string) => a.startsWith('--disable_metrics='))).toMatch(/percpu.*sched.*tcp/);
  });
});

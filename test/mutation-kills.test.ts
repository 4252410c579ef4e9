/**
 * Focused tests of the library's decision-making code, one behaviour per test, at its limits — the
 * code `npm run mutate` mutates (docs/mutation.md). Everything is built inside each test, on small
 * charts where possible, so that a mutant is killed by the test that names the behaviour.
 */
import { Chart, Testing } from 'cdk8s';
import { NetworkPolicies } from '../lib/components/network-policies';
import { antiAffinity, container, httpProbe, restrictedContainerSecurity, restrictedPodSecurity } from '../lib/components/pod-security';
import { checkBackupConfig, cronSchedule, DEFAULT_BACKUP_IMAGES } from '../lib/config/backup';
import { checkValue, cidr, dnsName, image, labelName, labels, listOf, metricName, nullable, text, url, urlPath } from '../lib/config/checks';
import * as checks from '../lib/config/checks';
import * as units from '../lib/config/units';
import * as versions from '../lib/config/versions';
import { resolveConfig } from '../lib/config/load';
import { parseCpuMillis, parseDurationSeconds } from '../lib/config/units';
import { checkPinnedTag, imageTag, pinnedImage } from '../lib/config/versions';
import { apiRecordingRules, DEFAULT_API_INSTRUMENTATION, renderApiRulesYaml } from '../lib/content/api-rules';
import { alertingRules, checkRuleFileName, DEFAULT_RUNBOOK_BASE, loadRuleFiles, parseRuleFile, recordedMetricNames, ruleName, setRunbookBase, validateRuleExpressions } from '../lib/content/rules';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { selectorLabels, standardLabels } from '../lib/wiring/labels';
import { renderNodeScrapeJob, renderScrapeJob, scrapeServiceName, secretMountPath } from '../lib/wiring/scrape-target';
import { ANYWHERE, Wiring, Workload, workloadPeer } from '../lib/wiring/wiring';
import { K8sObject } from './support/app';
import { refusedWith } from './support/refusal';

const RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };

describe('Wiring: workloads and ports are unique, paths are declared once', () => {
  const w = (id: string, ports: any[], extra: Partial<Workload> = {}): Workload => ({ id, namespace: 'monitoring', podLabels: { app: id }, owned: true, ports, ...extra });

  test('a workload id may be declared once', () => {
    const wiring = new Wiring();
    wiring.addWorkload(w('a', []));
    expect(refusedWith(() => wiring.addWorkload(w('a', [])))).toBe('workload a: "a" is declared twice — give each workload a unique id');
  });

  test('two ports of a pod may not share number and protocol; the same number over UDP and TCP is fine', () => {
    expect(refusedWith(() => new Wiring().addWorkload(w('a', [{ name: 'x', port: 53 }, { name: 'y', port: 53, protocol: 'TCP' }]))))
      .toBe('a.ports.y: 53 clashes with port "x" of the same pod — give every container port of a pod its own number');
    expect(refusedWith(() => new Wiring().addWorkload(w('a', [{ name: 'x', port: 53, protocol: 'UDP' }, { name: 'y', port: 53 }])))).toBe('(accepted)');
  });

  test('port names are unique and at most 15 characters (IANA_SVC_NAME)', () => {
    expect(refusedWith(() => new Wiring().addWorkload(w('a', [{ name: 'x', port: 1 }, { name: 'x', port: 2 }])))).toBe('a.ports: "x" is used twice as a port name — give every port its own name');
    expect(refusedWith(() => new Wiring().addWorkload(w('a', [{ name: 'a'.repeat(15), port: 1 }])))).toBe('(accepted)');
    expect(refusedWith(() => new Wiring().addWorkload(w('a', [{ name: 'a'.repeat(16), port: 1 }])))).toBe(`a.ports: "${'a'.repeat(16)}" is longer than 15 characters — shorten the port name (IANA_SVC_NAME)`);
  });

  test('a path to an unknown port name is refused, listing the ports that exist', () => {
    const wiring = new Wiring();
    const a = wiring.addWorkload(w('a', [{ name: 'web', port: 80 }, { name: 'metrics', port: 9 }]));
    expect(refusedWith(() => wiring.allowToWorkload(workloadPeer(a), a, 'http', 'x'))).toBe('a.ports: "http" is not a port of this workload — use one of: web, metrics');
  });

  test('declaring the same path twice keeps one path (the first reason); other ports or protocols are other paths', () => {
    const wiring = new Wiring();
    const a = wiring.addWorkload(w('a', [{ name: 'web', port: 80 }, { name: 'dns', port: 80, protocol: 'UDP' }]));
    const b = wiring.addWorkload(w('b', []));
    const first = wiring.allowToWorkload(workloadPeer(b), a, 'web', 'first');
    expect(wiring.allowToWorkload(workloadPeer(b), a, 'web', 'second')).toBe(first);
    wiring.allowToWorkload(workloadPeer(b), a, 'dns', 'udp');
    expect(wiring.allPaths().map((p) => [p.port, p.protocol, p.reason, p.portName])).toEqual([[80, 'TCP', 'first', 'web'], [80, 'UDP', 'udp', 'dns']]);
    expect(wiring.allWorkloads().map((x) => x.id)).toEqual(['a', 'b']);
  });

  test('paths from two different outside peers to the same port are two paths (peers are told apart by id)', () => {
    const wiring = new Wiring();
    const a = wiring.addWorkload(w('a', [{ name: 'web', port: 80 }]));
    wiring.allowToWorkload({ kind: 'pods', id: 'ingress', namespace: 'ingress-nginx' }, a, 'web', 'users');
    wiring.allowToWorkload({ kind: 'cidr', id: 'lb', cidr: '192.0.2.0/24' }, a, 'web', 'load balancer');
    wiring.allowToWorkload({ kind: 'pods', id: 'ingress', namespace: 'ingress-nginx' }, a, 'web', 'again');
    expect(wiring.allPaths().map((p) => p.reason)).toEqual(['users', 'load balancer']);
  });
});

describe('NetworkPolicies rendered from the wiring', () => {
  function render(build: (wiring: Wiring) => void): K8sObject[] {
    const chart = new Chart(Testing.app(), 'c');
    const wiring = new Wiring();
    build(wiring);
    new NetworkPolicies(chart, 'np', { wiring, nodeCidr: '10.0.0.0/16' });
    return chart.toJson() as K8sObject[];
  }
  const policy = (objs: K8sObject[], ns: string, name: string) => {
    const p = objs.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    if (!p) throw new Error(`no policy ${ns}/${name}; have ${objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).join(', ')}`);
    return p;
  };

  test('each namespace with owned pods gets default-deny both ways and allow-dns (UDP and TCP 53 to kube-dns); others get neither', () => {
    const objs = render((wiring) => {
      wiring.addWorkload({ id: 'p', namespace: 'mon', podLabels: { a: 'p' }, owned: true, ports: [] });
      wiring.addWorkload({ id: 'db', namespace: 'backend', podLabels: { a: 'db' }, owned: false, ports: [{ name: 'sql', port: 5432 }] });
    });
    expect(policy(objs, 'mon', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(policy(objs, 'mon', 'allow-dns').spec).toEqual({
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    expect(objs.filter((o) => o.metadata.namespace === 'backend').map((o) => o.metadata.name)).toEqual(['db-monitoring']);
    expect(policy(objs, 'mon', 'default-deny').metadata.labels).toEqual(standardLabels('nanoe-monitoring', 'network'));
  });

  test('both ends of a path: the source\'s egress and the destination\'s ingress, by named port, with the reasons annotated', () => {
    const objs = render((wiring) => {
      const p = wiring.addWorkload({ id: 'prom', namespace: 'mon', podLabels: { a: 'prom' }, owned: true, ports: [{ name: 'web', port: 9090 }] });
      const g = wiring.addWorkload({ id: 'graf', namespace: 'mon', podLabels: { a: 'graf' }, owned: true, ports: [] });
      wiring.allowToWorkload(workloadPeer(g), p, 'web', 'queries');
      wiring.allowToWorkload(workloadPeer(p), p, 'web', 'self');
    });
    const prom = policy(objs, 'mon', 'prom');
    const peer = (a: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mon' } }, podSelector: { matchLabels: { a } } });
    expect(prom.spec).toEqual({
      podSelector: { matchLabels: { a: 'prom' } }, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [peer('graf')], ports: [{ protocol: 'TCP', port: 'web' }] }, { from: [peer('prom')], ports: [{ protocol: 'TCP', port: 'web' }] }],
      egress: [{ to: [peer('prom')], ports: [{ protocol: 'TCP', port: 'web' }] }],
    });
    expect(prom.metadata.annotations).toEqual({ 'nanoe-monitoring/paths': 'queries; self' });
    expect(policy(objs, 'mon', 'graf').spec).toEqual({
      podSelector: { matchLabels: { a: 'graf' } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [{ to: [peer('prom')], ports: [{ protocol: 'TCP', port: 'web' }] }],
    });
  });

  test('host-network pods get no policy and are reached at the node CIDR by port number; unnamed ports and CIDRs use numbers too', () => {
    const objs = render((wiring) => {
      const p = wiring.addWorkload({ id: 'prom', namespace: 'mon', podLabels: { a: 'prom' }, owned: true, ports: [] });
      const ne = wiring.addWorkload({ id: 'ne', namespace: 'agents', podLabels: { a: 'ne' }, owned: true, hostNetwork: true, ports: [{ name: 'metrics', port: 9100 }] });
      const db = wiring.addWorkload({ id: 'db', namespace: 'backend', podLabels: { a: 'db' }, owned: false, ports: [{ name: 'sql', port: 5432, unnamed: true }] });
      wiring.allowToWorkload(workloadPeer(p), ne, 'metrics', 'scrape ne');
      wiring.allowToWorkload(workloadPeer(p), db, 'sql', 'sql');
      wiring.allow({ from: workloadPeer(p), to: { kind: 'cidr', id: 'api', cidr: '192.0.2.1/32' }, port: 443, portName: 'https', protocol: 'TCP', reason: 'api' });
      wiring.allow({ from: { kind: 'pods', id: 'any', namespace: 'other' }, to: workloadPeer(p), port: 9090, protocol: 'TCP', reason: 'from other ns' });
    });
    expect(objs.find((o) => o.metadata.name === 'ne')).toBeUndefined();
    const prom = policy(objs, 'mon', 'prom');
    expect(prom.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 9100 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backend' } }, podSelector: { matchLabels: { a: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '192.0.2.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    // A pods peer without labels is the whole namespace.
    expect(prom.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }]);
  });

  test('a named port is looked up by name (another unnamed port of the pod does not matter); a pods peer with labels selects them', () => {
    const objs = render((wiring) => {
      const p = wiring.addWorkload({ id: 'prom', namespace: 'mon', podLabels: { a: 'prom' }, owned: true, ports: [] });
      const db = wiring.addWorkload({ id: 'db', namespace: 'backend', podLabels: { a: 'db' }, owned: false, ports: [{ name: 'sql', port: 5432, unnamed: true }, { name: 'metrics', port: 9187 }] });
      wiring.allowToWorkload(workloadPeer(p), db, 'metrics', 'scrape');
      // A path declared with allow() may name a port the registry does not list: the name is used as given.
      wiring.allow({ from: { kind: 'pods', id: 'ing', namespace: 'ingress', podLabels: { app: 'nginx' } }, to: workloadPeer(p), port: 9091, portName: 'extra', protocol: 'TCP', reason: 'ingress' });
      wiring.addWorkload({ id: 'idle', namespace: 'mon', podLabels: { a: 'idle' }, owned: true, ports: [] });
    });
    expect(policy(objs, 'backend', 'db-monitoring').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 'metrics' }]);
    expect(policy(objs, 'mon', 'prom').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: { app: 'nginx' } } }],
      ports: [{ protocol: 'TCP', port: 'extra' }],
    }]);
    // An owned workload without paths is still isolated by a policy of its own, with nothing allowed.
    const idle = policy(objs, 'mon', 'idle');
    expect(idle.spec).toEqual({ podSelector: { matchLabels: { a: 'idle' } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    expect(idle.metadata.annotations).toEqual({ 'nanoe-monitoring/paths': '' });
  });

  test('an ANYWHERE peer renders a rule with ports and no from/to (every source or destination), with its reason', () => {
    const objs = render((wiring) => {
      const p = wiring.addWorkload({ id: 'prom', namespace: 'mon', podLabels: { a: 'prom' }, owned: true, ports: [] });
      const db = wiring.addWorkload({ id: 'db', namespace: 'backend', podLabels: { a: 'db' }, owned: false, ports: [{ name: 'sql', port: 5432 }] });
      wiring.allowToWorkload(ANYWHERE, db, 'sql', 'clients');
      wiring.allow({ from: workloadPeer(p), to: ANYWHERE, port: 443, protocol: 'TCP', reason: 'out' });
    });
    const db = policy(objs, 'backend', 'db-monitoring');
    expect(db.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 'sql' }] }]);
    expect(db.metadata.annotations).toEqual({ 'nanoe-monitoring/paths': 'clients' });
    expect(policy(objs, 'mon', 'prom').spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 443 }] }]);
  });

  test('pods the stack does not own get an ingress-only policy named <id>-monitoring, or none when ingressPolicy is false', () => {
    const objs = render((wiring) => {
      const p = wiring.addWorkload({ id: 'prom', namespace: 'mon', podLabels: { a: 'prom' }, owned: true, ports: [] });
      const db = wiring.addWorkload({ id: 'db', namespace: 'backend', podLabels: { a: 'db' }, owned: false, ports: [{ name: 'm', port: 9187 }] });
      const api = wiring.addWorkload({ id: 'api', namespace: 'backend', podLabels: { a: 'api' }, owned: false, ingressPolicy: false, ports: [{ name: 'http', port: 8000 }] });
      wiring.allowToWorkload(workloadPeer(p), db, 'm', 'scrape db');
      wiring.allowToWorkload(workloadPeer(p), api, 'http', 'scrape api');
      wiring.allowToWorkload(workloadPeer(db), api, 'http', 'db calls api');
    });
    const db = policy(objs, 'backend', 'db-monitoring');
    expect(db.spec.policyTypes).toEqual(['Ingress']);
    // Only the paths into the pods are its reasons (their egress is the backend's business).
    expect(db.metadata.annotations).toEqual({ 'nanoe-monitoring/paths': 'scrape db' });
    expect(db.spec.egress).toBeUndefined();
    expect(db.spec.ingress).toHaveLength(1);
    expect(objs.filter((o) => o.metadata.namespace === 'backend').map((o) => o.metadata.name)).toEqual(['db-monitoring']);
    expect(objs.filter((o) => o.metadata.namespace === 'mon').map((o) => o.metadata.name)).toEqual(['default-deny', 'allow-dns', 'prom']);
  });
});

describe('pod security building blocks', () => {
  test('the restricted container and pod security contexts, field by field', () => {
    expect(restrictedContainerSecurity(65534)).toEqual({
      runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(restrictedPodSecurity(472)).toEqual({
      runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('container(): pinned image pulled IfNotPresent, requests and limits, restricted context unless replaced, TCP by default', () => {
    const c = container({ name: 'x', image: 'i:1', uid: 1000, resources: RESOURCES, ports: [{ name: 'web', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(c).toEqual({
      name: 'x', image: 'i:1', imagePullPolicy: 'IfNotPresent', args: undefined, env: undefined,
      ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }],
      resources: { requests: { cpu: expect.anything(), memory: expect.anything() }, limits: { cpu: expect.anything(), memory: expect.anything() } },
      securityContext: restrictedContainerSecurity(1000), volumeMounts: undefined, readinessProbe: undefined, livenessProbe: undefined,
      terminationMessagePolicy: 'FallbackToLogsOnError',
    });
    const own = { privileged: false };
    const d = container({ name: 'y', image: 'i:1', uid: 0, resources: RESOURCES, args: ['--a'], env: [{ name: 'E', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/v' }], securityContext: own });
    expect([d.args, d.env, d.volumeMounts, d.securityContext, d.ports]).toEqual([['--a'], [{ name: 'E', value: '1' }], [{ name: 'v', mountPath: '/v' }], own, undefined]);
  });

  test('httpProbe: a GET on a named port, 10 s period, 5 s timeout, 3 failures by default', () => {
    expect(httpProbe('/-/ready', 'web')).toEqual({ httpGet: { path: '/-/ready', port: expect.objectContaining({ value: 'web' }) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(httpProbe('/', 'web', 30, 6)).toMatchObject({ periodSeconds: 30, failureThreshold: 6 });
  });

  test('antiAffinity: preferred (weight 100) spread over hostnames, selecting the workload\'s own pods', () => {
    expect(antiAffinity({ a: 'b' })).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } } }] } });
  });
});

describe('labels and scrape jobs', () => {
  test('standard labels and selector labels, exactly', () => {
    expect(standardLabels('grafana', 'dashboards')).toEqual({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/component': 'dashboards', 'app.kubernetes.io/part-of': 'nanoe-monitoring', 'app.kubernetes.io/managed-by': 'cdk8s' });
    expect(selectorLabels('grafana')).toEqual({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/part-of': 'nanoe-monitoring' });
  });

  test('a scrape job discovers its own headless Service\'s endpoints in its namespace and keeps only the metrics port', () => {
    const workload: Workload = { id: 'x', namespace: 'nanoe', podLabels: { a: 'x' }, owned: false, ports: [] };
    expect(scrapeServiceName('api')).toBe('api-metrics');
    expect(secretMountPath('s')).toBe('/etc/prometheus/secrets/s');
    const base = [
      { source_labels: ['__meta_kubernetes_service_name'], regex: 'api-metrics', action: 'keep' },
      { source_labels: ['__meta_kubernetes_endpointslice_port_name'], regex: 'http', action: 'keep' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
    ];
    // Every job: no honor_labels, the default limits, and the forged-series drop first.
    const guarded = {
      honor_labels: false, sample_limit: 10000, label_limit: 30, label_name_length_limit: 128, label_value_length_limit: 1024, body_size_limit: '4MB',
    };
    const forged = { source_labels: ['__name__'], regex: 'up|scrape_.+|ALERTS|ALERTS_FOR_STATE|.*:.*', action: 'drop' };
    const sd = [{ role: 'endpointslice', namespaces: { names: ['nanoe'] } }];
    expect(renderScrapeJob({ job: 'api', workload, portName: 'http' })).toEqual({
      job_name: 'api', metrics_path: '/metrics', ...guarded, kubernetes_sd_configs: sd, relabel_configs: base, metric_relabel_configs: [forged],
    });
    expect(renderScrapeJob({
      job: 'api', workload, portName: 'http', metricsPath: '/m', scrapeInterval: '15s', instanceIsNode: true,
      basicAuth: { username: 'u', passwordSecret: 's' }, metricRelabelConfigs: [{ action: 'drop' }],
    })).toEqual({
      job_name: 'api', scrape_interval: '15s', metrics_path: '/m', ...guarded, kubernetes_sd_configs: sd,
      basic_auth: { username: 'u', password_file: '/etc/prometheus/secrets/s/password' },
      relabel_configs: [...base, { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' }], metric_relabel_configs: [forged, { action: 'drop' }],
    });
  });
});

describe('kubelet scrape jobs', () => {
  test('a node job scrapes every node\'s kubelet over HTTPS with the service account token, verified against the cluster CA, labelled by node name', () => {
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const forged = { source_labels: ['__name__'], regex: 'up|scrape_.+|ALERTS|ALERTS_FOR_STATE|.*:.*', action: 'drop' };
    const common = {
      job_name: 'kubelet', scheme: 'https', kubernetes_sd_configs: [{ role: 'node' }],
      authorization: { credentials_file: `${sa}/token` }, tls_config: { ca_file: `${sa}/ca.crt` },
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
      ],
    };
    const target = { job: 'kubelet', port: 10250, nodeCidr: '10.0.0.0/8', reason: 'r' };
    // Defaults: /metrics, the default limits, only the forged-series drop.
    expect(renderNodeScrapeJob(target)).toEqual({
      ...common, metrics_path: '/metrics',
      honor_labels: false, sample_limit: 10000, label_limit: 30, label_name_length_limit: 128, label_value_length_limit: 1024, body_size_limit: '4MB',
      metric_relabel_configs: [forged],
    });
    expect(renderNodeScrapeJob({
      ...target, metricsPath: '/metrics/cadvisor', metricRelabelConfigs: [{ action: 'keep' }],
      limits: { sampleLimit: 5, bodySizeLimit: '1MB', labelLimit: 7, labelNameLengthLimit: 8, labelValueLengthLimit: 9 },
    })).toEqual({
      ...common, metrics_path: '/metrics/cadvisor',
      honor_labels: false, sample_limit: 5, label_limit: 7, label_name_length_limit: 8, label_value_length_limit: 9, body_size_limit: '1MB',
      metric_relabel_configs: [forged, { action: 'keep' }],
    });
  });
});

describe('config field checks at their limits', () => {
  const check = (c: (f: string, v: unknown) => void, v: unknown) => refusedWith(() => c('f', v));

  test('Kubernetes names: 63 characters accepted, 64 refused; lower case, no leading or trailing "-"', () => {
    expect(check(dnsName, 'a'.repeat(63))).toBe('(accepted)');
    for (const bad of ['a'.repeat(64), 'A', '-a', 'a-', 'a_b', '', 5]) expect(check(dnsName, bad)).toMatch(/is not a valid Kubernetes name/);
    expect(check(dnsName, 'a-1')).toBe('(accepted)');
  });

  test('label values: 63 characters accepted, 64 refused; keys with a DNS prefix', () => {
    expect(check(labels, { 'app.kubernetes.io/name': 'a'.repeat(63) })).toBe('(accepted)');
    expect(check(labels, { a: 'a'.repeat(64) })).toMatch(/f\.a: "a{64}" is not a valid label value/);
    expect(check(labels, { 'bad key': 'x' })).toMatch(/f\.bad key: "bad key" is not a valid label key/);
    expect(check(labels, { a: '' })).toBe('(accepted)');
    for (const bad of [{}, [], null, 'a']) expect(check(labels, bad)).toMatch(/must be a non-empty map of labels/);
  });

  test('CIDRs: octets up to 255 and prefixes up to /32', () => {
    expect(check(cidr, '255.255.255.255/32')).toBe('(accepted)');
    expect(check(cidr, '0.0.0.0/0')).toBe('(accepted)');
    for (const bad of ['256.0.0.0/8', '10.0.0.256/8', '10.0.0.0/33', '10.0.0.0', 'x']) expect(check(cidr, bad)).toMatch(/is not an IPv4 CIDR/);
  });

  test('images: a tag or a digest, never :latest or none; a registry port is not a tag', () => {
    for (const ok of ['a/b:1', 'reg:5000/a/b:v1', `a/b@sha256:${'0'.repeat(64)}`]) expect(check(image, ok)).toBe('(accepted)');
    for (const bad of ['a/b', 'a/b:latest', 'reg:5000/a/b']) expect(check(image, bad)).toMatch(/is not pinned to a version/);
    expect(check(image, '')).toMatch(/must be a non-empty string/);
  });

  test('pinned tags: a mirror (other registry, digest added) keeps the tested tag; another tag or none is refused', () => {
    const pinned = pinnedImage('prometheus');
    const tag = imageTag(pinned)!;
    expect(imageTag(`mirror.local:5000/p:${tag}@sha256:abc`)).toBe(tag);
    expect(imageTag('mirror.local:5000/p')).toBeUndefined();
    expect(refusedWith(() => checkPinnedTag('f', `mirror.local/p:${tag}@sha256:abc`, 'prometheus'))).toBe('(accepted)');
    expect(refusedWith(() => checkPinnedTag('f', 'mirror.local/p', 'prometheus'))).toMatch(/runs release \(no tag\), but the tested release is/);
  });

  test('Prometheus names: metric names may contain ":", label names may not start with "__"', () => {
    expect([check(metricName, 'a:b_c'), check(labelName, 'code'), check(labelName, '_x')]).toEqual(['(accepted)', '(accepted)', '(accepted)']);
    expect(check(metricName, '1a')).toMatch(/is not a Prometheus metric name/);
    expect(check(labelName, '__name')).toMatch(/is not a Prometheus label name/);
    expect(check(labelName, 'a:b')).toMatch(/is not a Prometheus label name/);
  });

  test('text, paths, URLs, lists and nullable fields', () => {
    expect(check(text, '  ')).toMatch(/must be a non-empty string/);
    expect(check(urlPath, 'metrics')).toMatch(/is not an HTTP path/);
    expect(check(urlPath, '/metrics')).toBe('(accepted)');
    expect(check(url(false), 'http://x')).toBe('(accepted)');
    expect(check(url(false), 'not a url')).toMatch(/is not an http\(s\) URL/);
    expect(check(listOf(text), [])).toMatch(/must be a list of at least 1 item\(s\)/);
    expect(check(listOf(text, 0), [])).toBe('(accepted)');
    expect(check(listOf(text), ['a', ''])).toMatch(/^f\[1\]: "" must be a non-empty string/);
    expect(check(nullable(text), null)).toBe('(accepted)');
    expect(check(nullable(text), undefined)).toMatch(/must be a non-empty string/);
  });

  test('maps: unknown fields are named, literal credentials are masked, missing fields are named', () => {
    const shape = { a: text };
    expect(refusedWith(() => checkValue('f', { a: 'x', b: 1 }, shape))).toBe('f.b: 1 is not a known field — remove it or use one of: a');
    for (const key of ['password', 'adminPasswd', 'apiToken', 'apikey', 'api_key', 'bearer']) {
      expect(refusedWith(() => checkValue('f', { a: 'x', [key]: 'secret' }, shape))).toMatch(new RegExp(`^f\\.${key}: "\\*\\*\\*" is a literal credential`));
    }
    expect(refusedWith(() => checkValue('f', {}, shape))).toBe('f.a: undefined is missing — set it in defaults: or in this environment');
    for (const bad of [null, [], 'x']) expect(refusedWith(() => checkValue('f', bad, shape))).toMatch(/must be a map — write a YAML map with the fields a/);
  });

  test('durations add their parts; zero is refused; CPU as cores or millicores', () => {
    expect(['1h30m', '1ms', '2w', '1y', '1d', '45s'].map((d) => parseDurationSeconds('f', d))).toEqual([5400, 0.001, 1209600, 31536000, 86400, 45]);
    expect(refusedWith(() => parseDurationSeconds('f', '0m0s'))).toMatch(/is zero/);
    expect(refusedWith(() => parseDurationSeconds('f', '5'))).toMatch(/is not a Prometheus duration/);
    expect([parseCpuMillis('f', '250m'), parseCpuMillis('f', '2'), parseCpuMillis('f', 0.5), parseCpuMillis('f', '1.5')]).toEqual([250, 2000, 500, 1500]);
    expect(refusedWith(() => parseCpuMillis('f', '1.5m'))).toMatch(/is not a CPU quantity/);
  });

  test('cron schedules: five fields in range, names, steps and ranges; no time zone', () => {
    const cron = (v: unknown) => refusedWith(() => cronSchedule('f', v));
    for (const ok of ['59 23 31 12 7', '0 0 1 1 0', '*/5 * * * *', '0 0 * jan-dec sun-sat', '0 0 ? * *', '@hourly', ' 15 2 * * * ']) expect([ok, cron(ok)]).toEqual([ok, '(accepted)']);
    expect(cron('60 * * * *')).toMatch(/has "60" as minute, outside 0-59/);
    expect(cron('* 24 * * *')).toMatch(/as hour, outside 0-23/);
    expect(cron('* * 0 * *')).toMatch(/as day of month, outside 1-31/);
    expect(cron('* * * 13 *')).toMatch(/as month, outside 1-12/);
    expect(cron('* * * * 8')).toMatch(/as day of week, outside 0-7/);
    expect(cron('* * * * 5-1')).toMatch(/has the empty range "5-1" as day of week/);
    // Day names count from sun = 0, as in the CronJob controller's parser: mon-sun is an empty range.
    expect(cron('* * * * mon-sun')).toMatch(/has the empty range "mon-sun"/);
    expect(cron('* * * * FRI')).toBe('(accepted)');
    expect(cron('*/0 * * * *')).toMatch(/has step "\/0" as minute/);
    expect(cron('* * * * * *')).toMatch(/has 6 fields, not 5/);
    expect(cron('CRON_TZ=UTC 0 0 * * *')).toMatch(/sets a time zone/);
    expect(cron('1.5 * * * *')).toMatch(/is not cron syntax/);
    expect(cron(5)).toMatch(/is not a cron schedule/);
    for (const ok of ['*/15 * * * *', '*/1 * * * *', '5-5 * * * *', '0  0 * * *']) expect([ok, cron(ok)]).toEqual([ok, '(accepted)']);
    expect(cron('TZ=UTC 0 0 * * *')).toBe('f: "TZ=UTC 0 0 * * *" sets a time zone, which Kubernetes refuses in the schedule — write five fields such as "15 2 * * *" (02:15 UTC daily), or @daily; the time zone is UTC');
    expect(cron('0 0 * * TZ=1')).toMatch(/has "TZ=1" as day of week, which is not cron syntax/);
  });

  test('cron schedules that name a date no month has are refused; steps, ranges and lists count every month they name', () => {
    const cron = (v: string) => refusedWith(() => cronSchedule('f', v));
    const never = (v: string) => `f: ${JSON.stringify(v)} never fires: no month in it has that day — write five fields such as "15 2 * * *" (02:15 UTC daily), or @daily; the time zone is UTC; e.g. "0 0 28 2 *" for late February`;
    for (const bad of ['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4,6,9,11 *', '0 0 31 4/7 *', '0 0 31 2 ?', '0 0 30-31 2 *']) expect([bad, cron(bad)]).toEqual([bad, never(bad)]);
    // 29 February exists; 31 in a list, range or step that reaches a 31-day month fires; a restricted weekday fires too.
    for (const ok of ['0 0 29 2 *', '0 0 31 * *', '0 0 31 12 *', '0 0 31 2-3 *', '0 0 31 2/5 *', '0 0 31 feb,mar *', '0 0 30,31 2,4 *', '0 0 31 2 1'])
      expect([ok, cron(ok)]).toEqual([ok, '(accepted)']);
  });

  test('S3 bucket names: 3 to 63 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit', () => {
    const base = { enabled: true, schedule: '15 2 * * *', keep: 3, storage: { prometheus: '80Gi', grafana: '2Gi' }, storageClass: null, images: DEFAULT_BACKUP_IMAGES };
    const bucket = (b: unknown) => refusedWith(() => checkBackupConfig({ ...base, s3: { endpoint: 'https://s3.example.com', bucket: b, region: 'eu', credentialsSecret: 's3', egressCidr: '0.0.0.0/0' } } as any));
    for (const ok of ['abc', 'a.b-c', 'a'.repeat(63)]) expect([ok, bucket(ok)]).toEqual([ok, '(accepted)']);
    for (const bad of ['ab', 'a'.repeat(64), 'Abc', '-ab', 'ab-', 'a_b', 5, 12345, true]) expect([bad, bucket(bad)]).toEqual([bad, expect.stringMatching(/^backup\.s3\.bucket: .* is not an S3 bucket name — use 3 to 63 lower-case letters, digits, "-" and "."$/)]);
  });

  test('the config document: only defaults: and environments:, at least one environment, valid environment names', () => {
    const doc = (envs: unknown, extra: Record<string, unknown> = {}) => refusedWith(() => resolveConfig({ defaults: {}, environments: envs, ...extra }));
    expect(doc({ dev: {} }, { default: {} })).toMatch(/^default: \{\} is not a known top-level field/);
    expect(doc({})).toMatch(/must list at least one environment/);
    expect(refusedWith(() => resolveConfig([]))).toMatch(/must be a map with defaults: and environments:/);
    expect(doc({ Dev: {} })).toMatch(/environments\.Dev: "Dev" is not a valid environment name/);
  });
});

describe('rule files and the generated API group', () => {
  test('a rule needs exactly one of record and alert, and an expr string; groups need a name and rules', () => {
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - record: a\n        alert: b\n        expr: up\n')).toThrow('rule file x.rules.yaml, group "g", rules[0]: must have exactly one of "record" and "alert"');
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - alert: b\n        expr: 1\n')).toThrow('rule file x.rules.yaml, group "g", rules[0] (b): "expr" must be a string');
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - rules: []\n')).toThrow('rule file x.rules.yaml, groups[0]: must have a "name" and a "rules" list');
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules: [5]\n')).toThrow('rule file x.rules.yaml, group "g", rules[0]: must be a mapping');
    expect(parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n').content.groups[0].rules[0]).toEqual({ record: 'a', expr: 'up' });
  });

  test('a file must be a mapping with a groups list; a rule must be a mapping, not a list', () => {
    for (const text of ['', 'null', '5', '[]', 'groups: {}']) expect(() => parseRuleFile('x.rules.yaml', text)).toThrow('rule file x.rules.yaml: must be a mapping with a "groups" list');
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules: [[]]\n')).toThrow('rule file x.rules.yaml, group "g", rules[0]: must be a mapping');
    expect(() => parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules: [null]\n')).toThrow('rule file x.rules.yaml, group "g", rules[0]: must be a mapping');
    expect(() => parseRuleFile('x.rules.yaml', 'groups: [[]]\n')).toThrow('rule file x.rules.yaml, groups[0]: must have a "name" and a "rules" list');
    expect(() => parseRuleFile('x.rules.yaml', 'groups: [')).toThrow(/^rule file x\.rules\.yaml: invalid YAML: /);
  });

  test('loadRuleFiles reads every *.rules.yaml of the folder (not subfolders, not other files), sorted by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-rules-'));
    const body = 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n';
    for (const name of ['b.rules.yaml', 'a.rules.yaml', 'c.yaml', 'rules.yaml.bak']) writeFileSync(join(dir, name), body);
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests', 'd.rules.yaml'), body);
    const files = loadRuleFiles(dir);
    expect(files.map((f) => f.name)).toEqual(['a.rules.yaml', 'b.rules.yaml']);
    expect(files[0].text).toBe(body);
  });

  test('validateRuleExpressions names file, group and rule of the first expression that does not parse', () => {
    const ok = parseRuleFile('a.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(up)\n');
    const bad = parseRuleFile('b.rules.yaml', 'groups:\n  - name: h\n    rules:\n      - alert: A\n        expr: sum(up\n');
    expect(() => validateRuleExpressions([ok])).not.toThrow();
    expect(() => validateRuleExpressions([ok, bad])).toThrow(/^rule file b\.rules\.yaml, group "h", rule "A": invalid PromQL: \S/);
  });

  test('record names, alerting rules and rule names', () => {
    const f = parseRuleFile('x.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n      - alert: A\n        expr: up\n');
    expect([...recordedMetricNames([f])]).toStrictEqual(['r']);
    expect(alertingRules([f])).toEqual([{ file: 'x.rules.yaml', group: 'g', rule: { alert: 'A', expr: 'up' } }]);
    expect([ruleName({ record: 'r', expr: '' }), ruleName({ alert: 'A', expr: '' }), ruleName({ expr: '' })]).toEqual(['r', 'A', '(unnamed)']);
  });

  test('setRunbookBase rewrites only links under the default base; the same base (trailing "/" too) changes nothing', () => {
    const text = `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: { runbook_url: "${DEFAULT_RUNBOOK_BASE}#a" }\n      - alert: B\n        expr: up\n        annotations: { runbook_url: "https://elsewhere/x#b" }\n`;
    const f = parseRuleFile('x.rules.yaml', text);
    expect(setRunbookBase([f], `${DEFAULT_RUNBOOK_BASE}/`)[0]).toBe(f);
    const [moved] = setRunbookBase([f], 'https://wiki.example.com/runbooks//');
    expect(moved.content.groups[0].rules.map((r) => r.annotations?.runbook_url)).toEqual(['https://wiki.example.com/runbooks#a', 'https://elsewhere/x#b']);
    expect(moved.text).toContain('https://wiki.example.com/runbooks#a');
    const plain = parseRuleFile('y.rules.yaml', 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n');
    expect(setRunbookBase([plain], 'https://wiki.example.com')[0]).toBe(plain);
  });

  test('rule file names must be usable as ConfigMap keys', () => {
    expect(refusedWith(() => checkRuleFileName('a-b_c.1.rules.yaml'))).toBe('(accepted)');
    expect(refusedWith(() => checkRuleFileName('a b.rules.yaml'))).toBe('rules/: "a b.rules.yaml" is not a valid ConfigMap key — rename the file using letters, digits, "-", "_" and "." only');
  });

  test('the API group: exact expressions, the 5xx class by the status label, quotes in the job escaped', () => {
    const [g] = apiRecordingRules({ requestsTotalMetric: 'req_total', durationHistogramMetric: 'dur_seconds', statusCodeLabel: 'status_code' }, 'a"b\\c').groups;
    const job = 'job="a\\"b\\\\c"';
    expect(g.rules.map((r) => [r.record, r.expr])).toEqual([
      ['job:nanoe_api_requests:rate5m', `sum by (job, namespace) (rate(req_total{${job}}[5m]))`],
      ['job:nanoe_api_requests_5xx:rate5m', `sum by (job, namespace) (rate(req_total{${job},status_code=~"5.."}[5m])) or (sum by (job, namespace) (rate(req_total{${job}}[5m])) * 0)`],
      ['job:nanoe_api_request_errors:ratio_rate5m', 'job:nanoe_api_requests_5xx:rate5m / (job:nanoe_api_requests:rate5m > 0)'],
      ['job:nanoe_api_request_duration_seconds_bucket:rate5m', `sum by (job, namespace, le) (rate(dur_seconds_bucket{${job}}[5m]))`],
      ['job:nanoe_api_request_duration_seconds:p50_rate5m', 'histogram_quantile(0.5, job:nanoe_api_request_duration_seconds_bucket:rate5m)'],
      ['job:nanoe_api_request_duration_seconds:p95_rate5m', 'histogram_quantile(0.95, job:nanoe_api_request_duration_seconds_bucket:rate5m)'],
      ['job:nanoe_api_request_duration_seconds:p99_rate5m', 'histogram_quantile(0.99, job:nanoe_api_request_duration_seconds_bucket:rate5m)'],
    ]);
    expect(g.name).toBe('nanoe-api-instrumentation');
    expect(apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION }, 'x\ny').groups[0].rules[0].expr).toContain('job="x\\ny"');
  });

  test('the API group refuses every bad name at once, a _bucket histogram name, a "__" label and an empty job', () => {
    expect(() => apiRecordingRules({ requestsTotalMetric: '1x', durationHistogramMetric: 'd_bucket', statusCodeLabel: '__code' }, ' '))
      .toThrow('API instrumentation: requestsTotalMetric "1x" is not a Prometheus metric name; durationHistogramMetric "d_bucket" must be the histogram\'s base name, without "_bucket"; statusCodeLabel "__code" is not a Prometheus label name; the API job name is empty');
    expect(() => apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION, durationHistogramMetric: '1d' })).toThrow('API instrumentation: durationHistogramMetric "1d" is not a Prometheus metric name');
    expect(() => apiRecordingRules(DEFAULT_API_INSTRUMENTATION)).not.toThrow();
    expect(() => apiRecordingRules({ ...DEFAULT_API_INSTRUMENTATION, durationHistogramMetric: 'http_bucket_seconds' })).not.toThrow();
    expect(renderApiRulesYaml(DEFAULT_API_INSTRUMENTATION).split('\n').slice(0, 2)).toEqual([
      '# Generated by lib/content/api-rules.ts from the API instrumentation config. Do not edit.',
      '# metrics: http_requests_total, http_request_duration_seconds; status label: code; job: "nanoe-api"',
    ]);
  });
});

describe('every refusal names the field, the value and the fix, word for word', () => {
  const CASES: [string, () => unknown, string][] = [
    ["dnsName", () => checks.dnsName('f', 'A'), "f: \"A\" is not a valid Kubernetes name \u2014 use at most 63 lower-case letters, digits and \"-\", starting and ending with a letter or digit"],
    ["secretName", () => checks.secretName('f', ''), "f: \"\" is missing \u2014 name the Secret the operator creates before applying (see README, \"Secrets to create\")"],
    ["text", () => checks.text('f', ''), "f: \"\" must be a non-empty string \u2014 set a value"],
    ["image", () => checks.image('f', 'a/b:latest'), "f: \"a/b:latest\" is not pinned to a version \u2014 add an explicit tag such as \":v2.53.2\" or a \"@sha256:\" digest (never \":latest\")"],
    ["bool", () => checks.bool('f', 'yes'), "f: \"yes\" must be true or false \u2014 write true or false without quotes"],
    ["intBetween", () => checks.intBetween(1, 3, 'use 1 to 3')('f', 4), "f: 4 must be a whole number from 1 to 3 \u2014 use 1 to 3"],
    ["metricName", () => checks.metricName('f', '1a'), "f: \"1a\" is not a Prometheus metric name \u2014 use letters, digits, \"_\" and \":\", not starting with a digit"],
    ["labelName", () => checks.labelName('f', '__a'), "f: \"__a\" is not a Prometheus label name \u2014 use letters, digits and \"_\", not starting with a digit or \"__\""],
    ["url", () => checks.url(false)('f', 'ftp://x'), "f: \"ftp://x\" is not an http(s) URL \u2014 write e.g. \"https://mimir.example.com/api/v1/push\""],
    ["urlTls", () => checks.url(true)('f', 'http://x'), "f: \"http://x\" sends credentials over plain http \u2014 use an https:// URL"],
    ["urlPath", () => checks.urlPath('f', 'x'), "f: \"x\" is not an HTTP path \u2014 start it with \"/\", e.g. \"/metrics\""],
    ["cidr", () => checks.cidr('f', 'x'), "f: \"x\" is not an IPv4 CIDR \u2014 write it like \"10.0.0.0/8\""],
    ["ipv4", () => checks.ipv4('f', '1.2.3.04'), "f: \"1.2.3.04\" is not an IPv4 address \u2014 write one address like \"169.254.20.10\" (no \"/32\", no leading zeros), or null"],
    ["labelsMap", () => checks.labels('f', {}), "f: {} must be a non-empty map of labels \u2014 write e.g. { app.kubernetes.io/name: nanoe-api }"],
    ["labelKey", () => checks.labels('f', { 'a b': 'x' }), "f.a b: \"a b\" is not a valid label key \u2014 use a Kubernetes label key such as \"app.kubernetes.io/name\": an optional DNS prefix and \"/\", then at most 63 letters, digits, \"-\", \"_\" and \".\""],
    ["labelValue", () => checks.labels('f', { a: 'x y' }), "f.a: \"x y\" is not a valid label value \u2014 use at most 63 letters, digits, \"-\", \"_\" and \".\""],
    ["listOf", () => checks.listOf(checks.text)('f', []), "f: [] must be a list of at least 1 item(s) \u2014 write a YAML list"],
    ["quantity", () => units.parseQuantityBytes('f', 'x'), "f: \"x\" is not a Kubernetes quantity \u2014 write a number with an optional suffix such as \"512Mi\", \"50Gi\" or \"1G\""],
    ["cpu", () => units.parseCpuMillis('f', 'x'), "f: \"x\" is not a CPU quantity \u2014 write cores (\"2\", \"0.5\") or millicores (\"500m\")"],
    ["promSize", () => units.parsePrometheusSize('f', 'x'), "f: \"x\" is not a Prometheus size \u2014 write a whole number with one of B, KB, MB, GB, TB, PB (Prometheus reads them as powers of 1024), e.g. \"45GB\""],
    ["duration", () => units.parseDurationSeconds('f', 'x'), "f: \"x\" is not a Prometheus duration \u2014 write e.g. \"30s\", \"5m\", \"15d\" or \"1h30m\": a number and a unit (y w d h m s ms), units from largest to smallest, each once"],
    ["durationZero", () => units.parseDurationSeconds('f', '0s'), "f: \"0s\" is zero \u2014 use a positive duration"],
    ["pinned", () => versions.checkPinnedTag('f', 'quay.io/prometheus/prometheus:v1', 'prometheus'), "f: \"quay.io/prometheus/prometheus:v1\" runs release v1, but the tested release is v3.5.3 (versions.json: quay.io/prometheus/prometheus:v3.5.3) \u2014 use the tag v3.5.3 (a mirror of quay.io/prometheus/prometheus:v3.5.3 is fine), or bump components.prometheus in versions.json and run the tests (README, \"Tested versions\")"],
  ];
  test.each(CASES)('%s', (_name, f, message) => {
    expect(refusedWith(f)).toBe(message);
  });
});

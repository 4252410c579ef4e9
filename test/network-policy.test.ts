/**
 * Reachability of the synthesized NetworkPolicies, computed from the output alone (test/support/
 * reachability.ts; the wiring is never read) and compared with the intended matrix written here.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { buildEnvironments, EnvironmentApp } from '../lib/output/synth';
import { buildDefault, configWith, K8sObject, objectsOf, ROOT } from './support/app';
import {
  connectionKey, Connection, Endpoint, formatMatrix, modelConfigFrom, OUTSIDERS, Protocol, reachability, ReachabilityModel, renderMarkdownTable,
} from './support/reachability';

const envs = buildDefault();
const byName = (name: string): EnvironmentApp => envs.find((e) => e.config.name === name)!;
const dev = objectsOf(byName('dev'));
const devConfig = modelConfigFrom(byName('dev').config);
type Json = Record<string, any>;
const clone = (objects: K8sObject[]): K8sObject[] => JSON.parse(JSON.stringify(objects));

// ------------------------------------------------------------------------------------------------
// The intended matrices of the default config.

const PROMETHEUS = 'prometheus';
const ALERTMANAGER = 'alertmanager';
const GRAFANA = 'grafana';
const NODE_EXPORTER = 'node-exporter';
const CADVISOR = 'cadvisor';
const POSTGRES = 'postgres';
const REDIS = 'redis';
const PROMETHEUS_BACKUP = 'prometheus-backup';
const GRAFANA_BACKUP = 'grafana-backup';
const {
  ingressController: INGRESS, otherBackendPod: WORKER, api: API, dns: DNS, apiServer: API_SERVER, internet: INTERNET, federationClient: GLOBAL_PROMETHEUS,
  acmeSolver: ACME_SOLVER, kubelet: KUBELET, otherNamespaceClient: OTHER_CLIENT,
} = OUTSIDERS;
/** Endpoints that are only an address: a pair of two of them is outside any NetworkPolicy. */
const ADDRESSES = new Set<string>([API_SERVER, INTERNET, KUBELET]);
/** Pods of the backend's namespace. */
const BACKEND_PODS = [POSTGRES, REDIS, WORKER, API];

interface Intended { readonly from: string; readonly to: string; readonly port: number; readonly protocol: Protocol; readonly why: string }
type Matrix = Map<string, Intended>;
function allow(m: Matrix, from: readonly string[], to: string, port: number, why: string, protocol: Protocol = 'TCP'): void {
  for (const f of from) {
    const row = { from: f, to, port, protocol, why };
    const key = connectionKey(row);
    if (m.has(key)) throw new Error(`intended matrix lists ${key} twice`);
    m.set(key, row);
  }
}

/**
 * The intended matrix: `published` when Grafana has an Ingress (ingressHost set), `federated` when a
 * global Prometheus federates from ours, `acme` when cert-manager issues the Ingress's certificate.
 */
function intendedMatrix(o: { published: boolean; federated: boolean; acme: boolean; amCluster: boolean; cadvisorDaemonSet: boolean }): Matrix {
  const m: Matrix = new Map();
  // Paths the stack declares (each one opened at both ends by a policy).
  allow(m, [PROMETHEUS], PROMETHEUS, 9090, 'self-scrape (and the other replica in HA)');
  allow(m, [PROMETHEUS], ALERTMANAGER, 9093, 'alert delivery and scrape');
  if (o.cadvisorDaemonSet) allow(m, [PROMETHEUS], CADVISOR, 8080, 'scrape (only with cadvisor.source daemonset: dev)');
  allow(m, [PROMETHEUS], NODE_EXPORTER, 9100, 'scrape (host network: addressed to the node CIDR)');
  allow(m, [PROMETHEUS], POSTGRES, 9187, 'scrape of the postgres-exporter sidecar');
  allow(m, [PROMETHEUS], REDIS, 9121, 'scrape of the redis-exporter sidecar');
  allow(m, [PROMETHEUS], API, 8000, 'scrape of the API');
  allow(m, [PROMETHEUS], KUBELET, 10250, 'kubelet volume statistics, and /metrics/cadvisor with cadvisor.source kubelet (node CIDR)');
  allow(m, [PROMETHEUS], API_SERVER, 443, 'Kubernetes service discovery');
  allow(m, [PROMETHEUS], API_SERVER, 6443, 'Kubernetes service discovery');
  allow(m, [GRAFANA], PROMETHEUS, 9090, 'datasource queries');
  allow(m, [PROMETHEUS_BACKUP], PROMETHEUS, 9090, 'TSDB snapshot API (backup CronJob)');
  allow(m, [GRAFANA_BACKUP], GRAFANA, 3000, 'is Grafana still running? (backup and restore check)');
  if (o.published) allow(m, [INGRESS], GRAFANA, 3000, 'users through the Ingress (only when ingressHost is set)');
  if (o.federated) allow(m, [GLOBAL_PROMETHEUS], PROMETHEUS, 9090, 'federation (prometheus.federation.from)');
  if (o.amCluster) for (const proto of ['TCP', 'UDP'] as const) allow(m, [ALERTMANAGER], ALERTMANAGER, 9094, 'Alertmanager cluster gossip (only with alertmanager.replicas > 1: prod)', proto);
  if (o.acme) allow(m, [INGRESS], ACME_SOLVER, 8089, 'cert-manager HTTP-01 challenges (only with a clusterIssuer)');
  allow(m, [ALERTMANAGER], INTERNET, 443, 'notification receivers');
  // receiverEgress is 0.0.0.0/0:443 by default, which also covers the API server's address.
  allow(m, [ALERTMANAGER], API_SERVER, 443, 'notification receivers (0.0.0.0/0 includes the API server; narrow receiverEgress)');
  for (const proto of ['UDP', 'TCP'] as const) allow(m, [PROMETHEUS, ALERTMANAGER, GRAFANA, ...(o.cadvisorDaemonSet ? [CADVISOR] : []), PROMETHEUS_BACKUP, GRAFANA_BACKUP, ...(o.acme ? [ACME_SOLVER] : [])], DNS, 53, 'DNS (allow-dns)', proto);
  // Sources not isolated for egress: the backend's pods, whose egress stays the backend's business;
  // host-network node-exporter; outsiders (pods of other namespaces, nodes, the internet).
  const sources = [NODE_EXPORTER, POSTGRES, REDIS, WORKER, API, INGRESS, OTHER_CLIENT, DNS, API_SERVER, INTERNET, KUBELET, ...(o.federated ? [GLOBAL_PROMETHEUS] : [])];
  // The databases' ingress policy keeps their own ports reachable from every such source, as before
  // the stack selected them (a rule with ports and no `from`); the exporter port is Prometheus's alone.
  allow(m, sources, POSTGRES, 5432, 'database clients from anywhere (unchanged)');
  allow(m, sources, REDIS, 6379, 'database clients from anywhere (unchanged)');

  // What the stack does not restrict: those sources to destinations not isolated for ingress (the
  // API, whose port is also its public port; host-network node-exporter; outsiders).
  const destinations: readonly [string, number, Protocol][] = [
    [NODE_EXPORTER, 9100, 'TCP'], [KUBELET, 10250, 'TCP'], [API, 8000, 'TCP'], [INGRESS, 80, 'TCP'], [INGRESS, 443, 'TCP'],
    [DNS, 53, 'UDP'], [DNS, 53, 'TCP'], [API_SERVER, 443, 'TCP'], [API_SERVER, 6443, 'TCP'], [INTERNET, 443, 'TCP'],
  ];
  for (const [to, port, protocol] of destinations) {
    allow(m, sources.filter((s) => !(ADDRESSES.has(s) && ADDRESSES.has(to))), to, port, 'not restricted by the stack', protocol);
  }
  return m;
}
const INTENDED: Record<string, Matrix> = {
  dev: intendedMatrix({ published: false, federated: false, acme: false, amCluster: false, cadvisorDaemonSet: true }),
  prod: intendedMatrix({ published: true, federated: true, acme: true, amCluster: true, cadvisorDaemonSet: false }),
};

const keys = (cs: readonly { from: string; to: string; port: number; protocol: string }[]) => cs.map(connectionKey).sort();
/** What a model allows beyond the intended matrix, and what it lacks. */
function diff(actual: readonly Connection[], intended: Iterable<string> = INTENDED.dev.keys()): { missing: string[]; extra: string[] } {
  const a = new Set(keys(actual));
  const i = new Set(intended);
  return { missing: [...i].filter((k) => !a.has(k)).sort(), extra: [...a].filter((k) => !i.has(k)).sort() };
}

// ------------------------------------------------------------------------------------------------

describe('reachability of the default output', () => {
  const model = reachability(dev, devConfig);

  test('every endpoint of the model is there: the output pod templates plus the outsiders', () => {
    const summary = (e: Endpoint) => `${e.id} ${e.namespace ?? e.ip}${e.hostNetwork ? ' hostNetwork' : ''} ${e.ports.map((p) => `${p.port}/${p.protocol}`).join(',')}`;
    expect(model.endpoints.map(summary)).toEqual([
      'prometheus monitoring 9090/TCP',
      'alertmanager monitoring 9093/TCP',
      'grafana monitoring 3000/TCP',
      'node-exporter monitoring-node-agents hostNetwork 9100/TCP',
      'cadvisor monitoring-node-agents 8080/TCP',
      'postgres nanoe 5432/TCP,9187/TCP',
      'redis nanoe 6379/TCP,9121/TCP',
      'prometheus-backup monitoring ',
      'grafana-backup monitoring ',
      'ingress-controller ingress-nginx 80/TCP,443/TCP',
      'nanoe-worker nanoe ',
      'other-namespace-client other-team ',
      'nanoe-api nanoe 8000/TCP',
      'kube-dns kube-system 53/UDP,53/TCP',
      'api-server 10.0.0.1 443/TCP,6443/TCP',
      'internet 203.0.113.10 443/TCP',
      'kubelet 10.0.0.10 10250/TCP',
    ]);
    expect(model.endpoint(NODE_EXPORTER).ip).toBe('10.0.0.10');
  });

  test('isolation: the stack isolates its own pods both ways and the databases for ingress only', () => {
    const isolated = (dir: 'Ingress' | 'Egress') => model.endpoints.filter((e) => model.isolated(e.id, dir)).map((e) => e.id);
    expect(isolated('Ingress')).toEqual([PROMETHEUS, ALERTMANAGER, GRAFANA, CADVISOR, POSTGRES, REDIS, PROMETHEUS_BACKUP, GRAFANA_BACKUP]);
    expect(isolated('Egress')).toEqual([PROMETHEUS, ALERTMANAGER, GRAFANA, CADVISOR, PROMETHEUS_BACKUP, GRAFANA_BACKUP]);
  });

  for (const env of envs) {
    test(`${env.config.name} allows exactly its intended matrix: nothing missing, nothing extra`, () => {
      const connections = reachability(objectsOf(env), modelConfigFrom(env.config)).connections();
      console.log(`Allowed connections (${env.config.name}), source x destination:\n${formatMatrix(connections)}`);
      expect(diff(connections, INTENDED[env.config.name].keys())).toEqual({ missing: [], extra: [] });
      expect(connections.length).toBe(INTENDED[env.config.name].size);
    });
  }

  for (const env of envs) {
    test(`${env.config.name}: database clients in another namespace, on a node and outside the cluster reach Postgres and Redis, never the exporter ports`, () => {
      const allowed = new Set(keys(reachability(objectsOf(env), modelConfigFrom(env.config)).connections()));
      const reach = (from: string) => ['postgres 5432/TCP', 'postgres 9187/TCP', 'redis 6379/TCP', 'redis 9121/TCP'].map((to) => `${from} -> ${to}: ${allowed.has(`${from} -> ${to}`)}`);
      for (const client of [OTHER_CLIENT, INTERNET, KUBELET]) {
        expect(reach(client)).toEqual([`${client} -> postgres 5432/TCP: true`, `${client} -> postgres 9187/TCP: false`, `${client} -> redis 6379/TCP: true`, `${client} -> redis 9121/TCP: false`]);
      }
      // The database policies open their own ports with ports alone (no `from`: every source).
      for (const db of ['postgres', 'redis']) {
        const policy = objectsOf(env).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `${db}-monitoring`)!;
        expect(policy.spec.ingress.filter((r: Json) => r.from === undefined)).toEqual([{ ports: [{ protocol: 'TCP', port: db === 'postgres' ? 'postgres' : 'redis' }] }]);
      }
    });
  }

  test('the Markdown rendering lists every allowed connection once', () => {
    const prod = byName('prod');
    const connections = reachability(objectsOf(prod), modelConfigFrom(prod.config)).connections();
    const md = renderMarkdownTable(connections, (c) => INTENDED.prod.get(connectionKey(c))?.why ?? '');
    const lines = md.split('\n');
    expect(lines.slice(0, 2)).toEqual(['| source | destination | port | why |', '| --- | --- | --- | --- |']);
    const listed = lines.slice(2).reduce((n, l) => n + l.split('|')[1].split(',').length, 0);
    expect(listed).toBe(connections.length);
    expect(md).toContain('| grafana | prometheus | 9090/TCP (web) | datasource queries |');
    expect(md).toContain('| ingress-controller | grafana | 3000/TCP (http) | users through the Ingress (only when ingressHost is set) |');
  });
});

describe('the analysis can fail', () => {
  test("removing grafana's egress rule loses grafana -> prometheus, and nothing else", () => {
    const objects = clone(dev);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'grafana' && o.metadata.namespace === 'monitoring')!;
    expect(policy.spec.egress).toHaveLength(1);
    policy.spec.egress = [];
    expect(diff(reachability(objects, devConfig).connections())).toEqual({ missing: ['grafana -> prometheus 9090/TCP'], extra: [] });
  });

  test('an over-broad policy (Postgres open to every namespace) shows exactly the extra paths', () => {
    const objects = clone(dev);
    objects.push({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'postgres-from-anywhere', namespace: 'nanoe' },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
    });
    // 5432 is open to every source already; what is new is the exporter port from every pod.
    const extra = [INGRESS, OTHER_CLIENT, DNS, ...BACKEND_PODS].map((s) => `${s} -> postgres 9187/TCP`).sort();
    // Not: node-exporter, nodes, the internet (not pod peers of a namespaceSelector).
    expect(diff(reachability(objects, devConfig).connections())).toEqual({ missing: [], extra });
  });

  test('a named port that matches nothing cuts the path, a number in the wrong protocol too', () => {
    const objects = clone(dev);
    const np = (namespace: string, name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace && o.metadata.name === name)!;
    np('monitoring-node-agents', 'cadvisor').spec.ingress[0].ports = [{ port: 'metric', protocol: 'TCP' }];
    np('monitoring', 'allow-dns').spec.egress[0].ports = [{ port: 53, protocol: 'TCP' }]; // UDP lost
    const model = reachability(objects, devConfig);
    const { missing, extra } = diff(model.connections());
    expect(extra).toEqual([]);
    expect(missing).toEqual(['alertmanager -> kube-dns 53/UDP', 'grafana -> kube-dns 53/UDP', 'grafana-backup -> kube-dns 53/UDP', 'prometheus -> cadvisor 8080/TCP', 'prometheus -> kube-dns 53/UDP', 'prometheus-backup -> kube-dns 53/UDP']);
    expect(namedPortProblems(objects, model)).toEqual(['monitoring-node-agents/cadvisor: ingress port metric/TCP is not a port of cadvisor']);
  });

  test('a port 0, a bad name or protocol is reported', () => {
    const objects = clone(dev);
    const rule = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'prometheus')!.spec.egress[0];
    rule.ports = [{ port: 0, protocol: 'TCP' }, { port: 'Web_Port', protocol: 'TCP' }, { port: 443, protocol: 'tcp' }];
    expect(badPorts(objects)).toEqual([
      'monitoring/prometheus: {"port":0,"protocol":"TCP"}', 'monitoring/prometheus: {"port":"Web_Port","protocol":"TCP"}', 'monitoring/prometheus: {"port":443,"protocol":"tcp"}',
    ]);
  });
});

// ------------------------------------------------------------------------------------------------
// The semantics of the analysis itself, on small hand-written inputs.

describe('NetworkPolicy semantics of the analysis', () => {
  const pod = (id: string, namespace: string, labels: Record<string, string>, ports: [number, Protocol, string?][] = [], extra: Partial<Endpoint> = {}): Endpoint => ({
    id, kind: 'pod', namespace, labels, ports: ports.map(([port, protocol, name]) => ({ port, protocol, ...(name ? { name } : {}) })), origin: 'modelled', ...extra,
  });
  const np = (namespace: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace }, spec });
  const a1 = pod('a1', 'a', { app: 'x' });
  const a2 = pod('a2', 'a', { app: 'y' }, [[80, 'TCP', 'http'], [53, 'UDP', 'dns']]);
  const b1 = pod('b1', 'b', { app: 'x' });
  const host = pod('host', 'a', { app: 'x' }, [[9100, 'TCP', 'metrics']], { hostNetwork: true, ip: '10.1.0.5' });
  const addr = (id: string, ip: string): Endpoint => ({ id, kind: 'address', ip, ports: [{ port: 443, protocol: 'TCP' }], origin: 'modelled' });
  const allowed = (m: ReachabilityModel) => keys(m.connections());
  const endpoints = [a1, a2, b1, host];

  test('no policy: everything is allowed', () => {
    expect(allowed(new ReachabilityModel([], [a1, a2]))).toEqual(['a1 -> a2 53/UDP', 'a1 -> a2 80/TCP', 'a2 -> a2 53/UDP', 'a2 -> a2 80/TCP']);
  });

  test('podSelector alone means the same namespace; namespaceSelector reaches others', () => {
    const same = np('a', { podSelector: { matchLabels: { app: 'y' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }] });
    expect(allowed(new ReachabilityModel([same], endpoints)).filter((k) => k.includes('-> a2'))).toEqual(['a1 -> a2 53/UDP', 'a1 -> a2 80/TCP']);
    const cross = np('a', { podSelector: { matchLabels: { app: 'y' } }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['b'] } ] }, podSelector: { matchLabels: { app: 'x' } } }] }] });
    expect(allowed(new ReachabilityModel([cross], endpoints)).filter((k) => k.includes('-> a2'))).toEqual(['b1 -> a2 53/UDP', 'b1 -> a2 80/TCP']);
  });

  test('a named port resolves on the destination; protocol defaults to TCP; missing ports = all', () => {
    const named = np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] });
    expect(allowed(new ReachabilityModel([named], [a1, a2])).filter((k) => k.startsWith('a1'))).toEqual(['a1 -> a2 80/TCP']);
    const dnsName = np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'dns' }] }] }); // TCP by default: the UDP port does not match
    expect(allowed(new ReachabilityModel([dnsName], [a1, a2])).filter((k) => k.startsWith('a1'))).toEqual([]);
    const all = np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] });
    expect(allowed(new ReachabilityModel([all], [a1, a2])).filter((k) => k.startsWith('a1'))).toEqual(['a1 -> a2 53/UDP', 'a1 -> a2 80/TCP']);
  });

  test('policyTypes default to Ingress, plus Egress when egress rules are present', () => {
    const ingressOnly = np('a', { podSelector: { matchLabels: { app: 'x' } } });
    const m1 = new ReachabilityModel([ingressOnly], endpoints);
    expect([m1.isolated('a1', 'Ingress'), m1.isolated('a1', 'Egress')]).toEqual([true, false]);
    const both = np('a', { podSelector: { matchLabels: { app: 'x' } }, egress: [] });
    const m2 = new ReachabilityModel([both], endpoints);
    expect([m2.isolated('a1', 'Ingress'), m2.isolated('a1', 'Egress')]).toEqual([true, true]);
    expect(allowed(m2).filter((k) => k.startsWith('a1'))).toEqual([]);
  });

  test('ipBlock matches addresses and host-network pods (by node IP), never pod-network pods; except carves out', () => {
    const net = addr('net', '203.0.113.10');
    const inside = addr('inside', '10.2.0.1');
    const policy = np('a', { podSelector: { matchLabels: { app: 'y' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.2.0.0/16'] } }] }] });
    const m = new ReachabilityModel([policy], [a1, a2, host, net, inside]);
    expect(allowed(m).filter((k) => k.startsWith('a2'))).toEqual(['a2 -> host 9100/TCP', 'a2 -> net 443/TCP']);
  });

  test('host-network pods are never selected, so never isolated, and pod selectors do not match them as peers', () => {
    const policy = np('a', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }] });
    const m = new ReachabilityModel([policy], endpoints);
    expect(m.isolated('host', 'Ingress')).toBe(false);
    expect(allowed(m).filter((k) => k.includes('-> a2'))).toEqual(['a1 -> a2 53/UDP', 'a1 -> a2 80/TCP']); // not host, though labelled app=x
  });

  test('policies add up: a second policy opens what the first does not', () => {
    const deny = np('a', { podSelector: {}, policyTypes: ['Ingress'] });
    const open = { ...np('a', { podSelector: { matchLabels: { app: 'y' } }, ingress: [{}] }), metadata: { name: 'open', namespace: 'a' } };
    expect(allowed(new ReachabilityModel([deny], [a1, a2, b1]))).toEqual([]);
    expect(allowed(new ReachabilityModel([deny, open], [a1, a2, b1]))).toEqual(['a1 -> a2 53/UDP', 'a1 -> a2 80/TCP', 'a2 -> a2 53/UDP', 'a2 -> a2 80/TCP', 'b1 -> a2 53/UDP', 'b1 -> a2 80/TCP']);
  });
});

// ------------------------------------------------------------------------------------------------
// Structure of the policies, in every environment.

interface PolicyRule { readonly dir: 'ingress' | 'egress'; readonly peers?: Json[]; readonly ports: Json[] }
const rulesOf = (p: K8sObject): PolicyRule[] => [
  ...((p.spec.ingress ?? []) as Json[]).map((r) => ({ dir: 'ingress' as const, peers: r.from, ports: r.ports ?? [] })),
  ...((p.spec.egress ?? []) as Json[]).map((r) => ({ dir: 'egress' as const, peers: r.to, ports: r.ports ?? [] })),
];

/**
 * Named ports that resolve to nothing: an ingress port name must be a port of every pod the policy
 * selects, an egress port name a port of every pod the rule's peers select (and never go to an
 * address, which has no port names). A policy must select some pod, except a namespace-wide one
 * (`podSelector: {}`: default-deny, allow-dns), which also guards pods added later — in prod the node
 * agents' namespace has only host-network node-exporter, which no policy selects.
 */
function namedPortProblems(objects: readonly K8sObject[], model: ReachabilityModel): string[] {
  const problems: string[] = [];
  const hasPort = (id: string, name: string, protocol: string) => model.endpoint(id).ports.some((x) => x.name === name && x.protocol === protocol);
  for (const p of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const where = `${p.metadata.namespace}/${p.metadata.name}`;
    const selected = model.selectedBy(p);
    const namespaceWide = Object.keys(p.spec.podSelector ?? {}).length === 0;
    if (selected.length === 0 && !namespaceWide) problems.push(`${where} selects no pod`);
    for (const r of rulesOf(p)) {
      for (const port of r.ports.filter((x) => typeof x.port === 'string')) {
        const protocol = port.protocol ?? 'TCP';
        let targets = selected;
        if (r.dir === 'egress') {
          if (!r.peers?.length || r.peers.some((peer) => peer.ipBlock)) problems.push(`${where}: named egress port ${port.port} to an address (only pods have port names)`);
          targets = (r.peers ?? []).flatMap((peer) => model.peerMatches(peer, p.metadata.namespace!)).filter((id) => model.endpoint(id).kind === 'pod');
          if (targets.length === 0) problems.push(`${where}: egress to ${JSON.stringify(r.peers)} selects no pod`);
        }
        for (const t of targets) if (!hasPort(t, port.port, protocol)) problems.push(`${where}: ${r.dir} port ${port.port}/${protocol} is not a port of ${t}`);
      }
    }
  }
  return problems;
}

/** Policy ports that are not a number in 1..65535 (endPort not below it) or an IANA name, or have a bad protocol. */
function badPorts(objects: readonly K8sObject[]): string[] {
  return objects.filter((o) => o.kind === 'NetworkPolicy').flatMap((p) => rulesOf(p).flatMap((r) => r.ports.filter((port) => {
    const ok = (typeof port.port === 'number' && Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535)
      || (typeof port.port === 'string' && IANA_SVC_NAME.test(port.port));
    const endOk = port.endPort === undefined || (typeof port.port === 'number' && port.endPort >= port.port && port.endPort <= 65535);
    return !ok || !endOk || !['TCP', 'UDP', 'SCTP'].includes(port.protocol ?? 'TCP');
  }).map((port) => `${p.metadata.namespace}/${p.metadata.name}: ${JSON.stringify(port)}`)));
}

const POLICY_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** IANA_SVC_NAME: at most 15 lowercase alphanumerics or '-', with a letter, no leading, trailing or double '-'. */
const IANA_SVC_NAME = /^(?=.*[a-z])(?!-)(?!.*--)[a-z0-9-]{1,15}(?<!-)$/;

for (const env of envs) {
  const objects = objectsOf(env);
  const model = reachability(objects, modelConfigFrom(env.config));
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

  describe(`NetworkPolicies of ${env.config.name}`, () => {
    test('there are policies, each with a readable name (no hash) unique in its namespace', () => {
      expect(policies.length).toBeGreaterThan(5);
      for (const p of policies) {
        expect(p.metadata.name).toMatch(POLICY_NAME);
        expect(p.metadata.name).not.toMatch(/-c8[0-9a-f]{6,}$|-[0-9a-f]{8}$/);
      }
      const ids = policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
    });

    test('every port is a valid number (never 0) or IANA name, with a valid protocol', () => {
      expect(badPorts(objects)).toEqual([]);
    });

    test('every named port exists on the destination pods it is meant for', () => {
      expect(namedPortProblems(objects, model)).toEqual([]);
    });

    test('each namespace with the stack’s own pods has default-deny (both ways) and allow-dns (UDP and TCP 53 to kube-dns)', () => {
      const owned = [...new Set(objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'nanoe-monitoring').map((o) => o.metadata.namespace!))].sort();
      expect(owned).toEqual([env.config.namespace, env.config.nodeAgentsNamespace].sort());
      for (const ns of owned) {
        const inNs = (name: string) => policies.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
        expect(inNs('default-deny')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        expect(inNs('allow-dns')?.spec).toEqual({
          podSelector: {}, policyTypes: ['Egress'],
          egress: [{
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          }],
        });
      }
    });
  });
}

// ------------------------------------------------------------------------------------------------
// NodeLocal DNSCache: pods resolve through a host-network cache at a link-local address.

describe('with network.nodeLocalDnsIp (NodeLocal DNSCache)', () => {
  const configFile = configWith((doc) => { doc.defaults.network.nodeLocalDnsIp = '169.254.20.10'; });
  const envsWithCache = buildEnvironments({ root: ROOT, configFile });

  for (const env of envsWithCache) {
    test(`${env.config.name}: every pod of the stack (pod network) reaches the cache on 53 UDP and TCP, as it reaches kube-dns`, () => {
      const objects = objectsOf(env);
      const model = reachability(objects, modelConfigFrom(env.config));
      const connections = model.connections();
      const reaching = (to: string, protocol: Protocol) => connections.filter((c) => c.to === to && c.port === 53 && c.protocol === protocol && model.isolated(c.from, 'Egress')).map((c) => c.from).sort();
      const stackPods = model.endpoints.filter((e) => model.isolated(e.id, 'Egress')).map((e) => e.id).sort();
      expect(stackPods.length).toBeGreaterThan(4);
      for (const protocol of ['UDP', 'TCP'] as const) {
        expect(reaching(OUTSIDERS.nodeLocalDns, protocol)).toEqual(stackPods);
        expect(reaching(DNS, protocol)).toEqual(stackPods);
      }
      // Nothing else opens to the cache's address: only 53, in allow-dns.
      for (const ns of [env.config.namespace, env.config.nodeAgentsNamespace]) {
        const dns = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === 'allow-dns')!;
        expect(dns.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
      }
    });
  }
});

// ------------------------------------------------------------------------------------------------
// A backend whose container ports have no names (common: cdk8s-plus, many Helm charts).

describe('a backend manifest with an unnamed container port', () => {
  // Copies backend/*.yaml with the name of the Postgres container port removed.
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-backend-'));
  for (const f of readdirSync(join(ROOT, 'backend')).filter((x) => /\.ya?ml$/.test(x))) {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'backend', f), 'utf8')).map((d) => d.toJSON());
    for (const d of docs) if (d?.kind === 'StatefulSet' && d.metadata.name === 'postgres') delete d.spec.template.spec.containers[0].ports[0].name;
    writeFileSync(join(dir, f), docs.map((d) => stringify(d)).join('---\n'));
  }
  const configFile = configWith((doc) => { doc.defaults.backend.manifestsPath = dir; });
  const [env] = buildEnvironments({ root: ROOT, configFile, environments: ['dev'] });
  const objects = objectsOf(env);

  const model = reachability(objects, modelConfigFrom(env.config));

  test('keeps the database clients (any namespace, outside the cluster) reachable on Postgres port 5432', () => {
    const allowed = new Set(keys(model.connections()));
    expect([...BACKEND_PODS, OTHER_CLIENT, INTERNET].map((s) => `${s} -> postgres 5432/TCP`).filter((k) => !allowed.has(k))).toEqual([]);
  });

  test('renders no port name that the pod does not have', () => {
    expect(namedPortProblems(objects, model)).toEqual([]);
  });
});

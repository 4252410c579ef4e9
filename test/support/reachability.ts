/**
 * A reachability analysis of Kubernetes NetworkPolicies over synthesized objects only.
 *
 * It deliberately does not read the wiring (lib/wiring/wiring.ts): endpoints come from the pod templates
 * in the output plus a few modelled outsiders, and the policies are evaluated with the semantics of
 * the NetworkPolicy API (networking.k8s.io/v1), so the emitted YAML is checked independently of the
 * code that generated it.
 *
 * Semantics implemented (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * - a pod is isolated for ingress (egress) when at least one policy of its namespace selects it and
 *   lists that type in `policyTypes` (default: Ingress, plus Egress when `egress` is present);
 * - a connection is allowed when the source's egress allows it (or the source is not isolated for
 *   egress) AND the destination's ingress allows it (or it is not isolated for ingress); policies
 *   are additive (a union of their rules);
 * - peers: `podSelector` alone = pods of the policy's namespace; `namespaceSelector` (+ optional
 *   `podSelector`) = pods of matching namespaces; `ipBlock` = addresses (see below); an empty or
 *   missing `from`/`to` = everything; missing or empty `ports` = every port;
 * - a port is a number (optionally with `endPort`) or a name, which matches the DESTINATION
 *   container port of that name; `protocol` defaults to TCP.
 *
 * Modelling choices (the README explains them to operators):
 * - Pod-network endpoints have no IP here, so `ipBlock` peers match only non-pod endpoints (nodes,
 *   the API server, the internet). The default nodeCidr/apiServerCidr (10.0.0.0/8) would, on a real
 *   cluster, often contain the pod CIDR too, and whether a CNI applies ipBlock rules to pod IPs is
 *   implementation-defined; the README advises narrow CIDRs.
 * - Host-network pods are never selected by a policy (so never isolated) and are seen by peers as
 *   their node's IP: podSelector/namespaceSelector never match them, ipBlock of the node CIDR does.
 *   This is the most common implementation of the (formally undefined) host-network behaviour.
 * - Not modelled: traffic from a pod's own node (kubelet probes; always allowed), a pod to itself
 *   over loopback, Service ClusterIP translation (policies see the backend pod, as modelled).
 * - A source and destination that are the same endpoint stand for two replicas of the same pods.
 */
import { K8sObject } from './app';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Direction = 'Ingress' | 'Egress';

/** A port an endpoint accepts connections on. */
export interface EndpointPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** Something that opens or accepts connections. */
export interface Endpoint {
  /** Short unique name used in the matrix. */
  readonly id: string;
  /** `pod`: has a namespace and labels; `address`: only an IP (API server, internet). */
  readonly kind: 'pod' | 'address';
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly hostNetwork?: boolean;
  /** Set only for addresses and host-network pods (their node's IP); pod-network pods have none. */
  readonly ip?: string;
  readonly ports: readonly EndpointPort[];
  /** `output`: a pod template of the synthesized objects; `modelled`: an outsider of the model. */
  readonly origin: 'output' | 'modelled';
}

/** One allowed connection. */
export interface Connection {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly portName?: string;
}

type Json = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// IPv4 CIDRs

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function parseCidr(cidr: string): { base: number; size: number } | undefined {
  const [ip, bits] = cidr.split('/');
  const base = ipv4ToInt(ip);
  const prefix = bits === undefined ? 32 : Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined; // IPv6: never matches here
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

/** Whether an IPv4 address lies in a CIDR (IPv6 CIDRs never match). */
export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = ipv4ToInt(ip);
  return c !== undefined && a !== undefined && a >= c.base && a < c.base + c.size;
}

/** An address inside `cidr`: the network address plus `offset` (clamped to the block). */
export function addressIn(cidr: string, offset: number): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  return intToIpv4(c.base + Math.min(offset, c.size - 1));
}

// ---------------------------------------------------------------------------------------------
// Label selectors

/** metav1.LabelSelector semantics: matchLabels AND matchExpressions; an empty selector matches everything. */
export function selectorMatches(selector: Json | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Endpoints

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function templateOf(o: K8sObject): { labels: Record<string, string>; spec: Json } | undefined {
  if (TEMPLATED.has(o.kind)) return { labels: o.spec?.template?.metadata?.labels ?? {}, spec: o.spec?.template?.spec ?? {} };
  if (o.kind === 'CronJob') return { labels: o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {}, spec: o.spec?.jobTemplate?.spec?.template?.spec ?? {} };
  if (o.kind === 'Pod') return { labels: o.metadata.labels ?? {}, spec: o.spec ?? {} };
  return undefined;
}

/** The container ports a pod accepts connections on (containers, and restartable init containers). */
export function podPorts(spec: Json): EndpointPort[] {
  const listening = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c: Json) => c.restartPolicy === 'Always')];
  return listening.flatMap((c: Json) => (c.ports ?? []).map((p: Json) => ({
    ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol,
  })));
}

/**
 * One endpoint per pod template in the output. Ids are the object names (namespace/name when a
 * name repeats). Host-network pods get `nodeIp`.
 */
export function endpointsFromObjects(objects: readonly K8sObject[], nodeIp: string): Endpoint[] {
  const workloads = objects.flatMap((o) => {
    const t = templateOf(o);
    return t ? [{ o, t }] : [];
  });
  const nameCount = new Map<string, number>();
  for (const { o } of workloads) nameCount.set(o.metadata.name, (nameCount.get(o.metadata.name) ?? 0) + 1);
  return workloads.map(({ o, t }) => {
    const hostNetwork = t.spec.hostNetwork === true;
    return {
      id: nameCount.get(o.metadata.name)! > 1 ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name,
      kind: 'pod' as const,
      namespace: o.metadata.namespace ?? 'default',
      labels: t.labels,
      ...(hostNetwork ? { hostNetwork: true, ip: nodeIp } : {}),
      ports: podPorts(t.spec),
      origin: 'output' as const,
    };
  });
}

/** The facts of an environment's config that the model needs (and nothing from the wiring). */
export interface ModelConfig {
  readonly nodeCidr: string;
  readonly apiServerCidr: string;
  readonly ingressController: { readonly namespace: string; readonly podLabels: Record<string, string> };
  readonly backendNamespace: string;
  readonly api: { readonly namespace: string; readonly podLabels: Record<string, string>; readonly portName: string; readonly port: number };
  /** A global Prometheus that federates from ours (`prometheus.federation.from`), when configured. */
  readonly federationClient?: { readonly namespace: string; readonly podLabels?: Record<string, string> };
  /** Where cert-manager starts its HTTP-01 solver pods (the stack's namespace), when an issuer is configured. */
  readonly acmeSolverNamespace?: string;
  /** NodeLocal DNSCache's address on every node (`network.nodeLocalDnsIp`), when the cluster runs it. */
  readonly nodeLocalDnsIp?: string;
}

/**
 * Reads the model's facts from an environment config. The ingress controller is read from
 * `network.ingress.controller`, or from the older `grafana.ingressController`.
 */
export function modelConfigFrom(config: Json): ModelConfig {
  const controller = config.network?.ingress?.controller ?? config.grafana?.ingressController;
  if (!controller) throw new Error('the config names no ingress controller (network.ingress.controller)');
  return {
    nodeCidr: config.network.nodeCidr,
    apiServerCidr: config.network.apiServerCidr,
    ingressController: { namespace: controller.namespace, podLabels: controller.podLabels },
    backendNamespace: config.backend.namespace,
    api: config.backend.api,
    ...(config.prometheus?.federation?.from ? { federationClient: config.prometheus.federation.from } : {}),
    ...(config.network?.ingress?.clusterIssuer ? { acmeSolverNamespace: config.namespace } : {}),
    ...(config.network?.nodeLocalDnsIp ? { nodeLocalDnsIp: config.network.nodeLocalDnsIp } : {}),
  };
}

/** Documentation address (RFC 5737 TEST-NET-3): stands for "anywhere on the internet". Nothing is ever sent. */
export const INTERNET_IP = '203.0.113.10';

/** Namespace of the modelled database client outside the backend's namespace. */
export const OTHER_CLIENT_NAMESPACE = 'other-team';

/** Ids of the modelled outsiders. */
export const OUTSIDERS = {
  ingressController: 'ingress-controller',
  otherBackendPod: 'nanoe-worker',
  otherNamespaceClient: 'other-namespace-client',
  api: 'nanoe-api',
  dns: 'kube-dns',
  apiServer: 'api-server',
  internet: 'internet',
  federationClient: 'global-prometheus',
  acmeSolver: 'acme-http01-solver',
  kubelet: 'kubelet',
  nodeLocalDns: 'node-local-dns',
} as const;

/** The endpoints that are not in the output but talk to it. */
export function modelledOutsiders(c: ModelConfig): Endpoint[] {
  const o = 'modelled' as const;
  return [
    {
      id: OUTSIDERS.ingressController, kind: 'pod', namespace: c.ingressController.namespace, labels: c.ingressController.podLabels,
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }], origin: o,
    },
    // Another pod of the backend (a worker): a client of Postgres and Redis, serving nothing.
    { id: OUTSIDERS.otherBackendPod, kind: 'pod', namespace: c.backendNamespace, labels: { app: 'nanoe-worker' }, ports: [], origin: o },
    // A client of the databases in another namespace (a migration Job, a backup operator), serving nothing.
    { id: OUTSIDERS.otherNamespaceClient, kind: 'pod', namespace: OTHER_CLIENT_NAMESPACE, labels: { app: 'db-client' }, ports: [], origin: o },
    {
      id: OUTSIDERS.api, kind: 'pod', namespace: c.api.namespace, labels: c.api.podLabels,
      ports: [{ name: c.api.portName, port: c.api.port, protocol: 'TCP' }], origin: o,
    },
    {
      id: OUTSIDERS.dns, kind: 'pod', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' },
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], origin: o,
    },
    {
      id: OUTSIDERS.apiServer, kind: 'address', ip: addressIn(c.apiServerCidr, 1),
      ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }], origin: o,
    },
    { id: OUTSIDERS.internet, kind: 'address', ip: INTERNET_IP, ports: [{ port: 443, protocol: 'TCP' }], origin: o },
    // The kubelet on the node's own address (where host-network pods also are), HTTPS 10250.
    { id: OUTSIDERS.kubelet, kind: 'address', ip: nodeIpOf(c), ports: [{ port: 10250, protocol: 'TCP' }], origin: o },
    // A client only: its own ports are not the stack's business.
    ...(c.federationClient
      ? [{ id: OUTSIDERS.federationClient, kind: 'pod' as const, namespace: c.federationClient.namespace, labels: c.federationClient.podLabels ?? {}, ports: [], origin: o }]
      : []),
    // NodeLocal DNSCache: a host-network cache at a link-local address on each node.
    ...(c.nodeLocalDnsIp
      ? [{ id: OUTSIDERS.nodeLocalDns, kind: 'address' as const, ip: c.nodeLocalDnsIp, ports: [{ port: 53, protocol: 'UDP' as const }, { port: 53, protocol: 'TCP' as const }], origin: o }]
      : []),
    // cert-manager's HTTP-01 solver: a pod it starts next to the Ingress, port 8089 without a name.
    ...(c.acmeSolverNamespace
      ? [{ id: OUTSIDERS.acmeSolver, kind: 'pod' as const, namespace: c.acmeSolverNamespace, labels: { 'acme.cert-manager.io/http01-solver': 'true' }, ports: [{ port: 8089, protocol: 'TCP' as const }], origin: o }]
      : []),
  ];
}

/** The node IP host-network pods are given: an address inside the node CIDR. */
export function nodeIpOf(c: ModelConfig): string {
  return addressIn(c.nodeCidr, 10);
}

/** Every endpoint of the model: the output's pod templates plus the outsiders. */
export function allEndpoints(objects: readonly K8sObject[], c: ModelConfig): Endpoint[] {
  const endpoints = [...endpointsFromObjects(objects, nodeIpOf(c)), ...modelledOutsiders(c)];
  const ids = new Set<string>();
  for (const e of endpoints) {
    if (ids.has(e.id)) throw new Error(`endpoint id ${e.id} is used twice`);
    ids.add(e.id);
  }
  return endpoints;
}

// ---------------------------------------------------------------------------------------------
// Policy evaluation

interface CompiledRule {
  /** Ids of the endpoints the rule's peers match; undefined = every endpoint (no `from`/`to`). */
  readonly peers?: ReadonlySet<string>;
  /** undefined = every port. */
  readonly ports?: readonly Json[];
}

/** The rules of one direction that apply to an endpoint; undefined = not isolated in that direction. */
type Applied = readonly CompiledRule[] | undefined;

/** policyTypes as the API server defaults them. */
export function policyTypesOf(policy: K8sObject): Direction[] {
  const explicit = policy.spec?.policyTypes as Direction[] | undefined;
  if (explicit && explicit.length > 0) return explicit;
  return policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function portMatches(rulePorts: readonly Json[] | undefined, port: EndpointPort): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return port.name !== undefined && p.port === port.name;
    return p.endPort !== undefined ? port.port >= p.port && port.port <= p.endPort : port.port === p.port;
  });
}

/** NetworkPolicies evaluated over a fixed set of endpoints. */
export class ReachabilityModel {
  readonly endpoints: readonly Endpoint[];
  private readonly byId: Map<string, Endpoint>;
  private readonly ingress = new Map<string, Applied>();
  private readonly egress = new Map<string, Applied>();
  private readonly nsLabels: (ns: string) => Record<string, string>;
  private readonly podsByNamespace = new Map<string, Endpoint[]>();
  private readonly withIp: readonly Endpoint[];

  /**
   * @param objects the synthesized objects (NetworkPolicies and Namespaces are read from them)
   * @param endpoints every endpoint to consider
   */
  constructor(objects: readonly K8sObject[], endpoints: readonly Endpoint[]) {
    this.endpoints = endpoints;
    this.byId = new Map(endpoints.map((e) => [e.id, e]));
    // Every namespace carries kubernetes.io/metadata.name (set by the API server); the output's
    // Namespace objects add their own labels.
    const namespaceLabels = new Map<string, Record<string, string>>();
    for (const o of objects) if (o.kind === 'Namespace') namespaceLabels.set(o.metadata.name, o.metadata.labels ?? {});
    this.nsLabels = (ns: string) => ({ ...(namespaceLabels.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns });

    // Pod-network pods: the only endpoints that policies select and pod/namespace selectors match.
    const podsByNamespace = this.podsByNamespace;
    for (const p of endpoints.filter((e) => e.kind === 'pod' && !e.hostNetwork)) podsByNamespace.set(p.namespace!, [...(podsByNamespace.get(p.namespace!) ?? []), p]);
    this.withIp = endpoints.filter((e) => e.ip !== undefined);

    const compile = (rule: Json, field: 'from' | 'to', policyNamespace: string): CompiledRule => {
      const peers: Json[] | undefined = rule[field];
      return {
        ...(peers && peers.length > 0 ? { peers: new Set(peers.flatMap((p) => this.peerMatches(p, policyNamespace))) } : {}),
        ...(rule.ports && rule.ports.length > 0 ? { ports: rule.ports } : {}),
      };
    };

    for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
      const ns = policy.metadata.namespace ?? 'default';
      const selected = this.selectedBy(policy);
      if (selected.length === 0) continue;
      const types = policyTypesOf(policy);
      for (const [dir, map, field, key] of [['Ingress', this.ingress, 'from', 'ingress'], ['Egress', this.egress, 'to', 'egress']] as const) {
        if (!types.includes(dir)) continue;
        const rules = ((policy.spec?.[key] ?? []) as Json[]).map((r) => compile(r, field, ns));
        for (const id of selected) map.set(id, [...(map.get(id) ?? []), ...rules]);
      }
    }
  }

  /** Ids of the endpoints a `from`/`to` peer of a policy in `policyNamespace` matches. */
  peerMatches(peer: Json, policyNamespace: string): string[] {
    if (peer.ipBlock) {
      const except: string[] = peer.ipBlock.except ?? [];
      return this.withIp.filter((e) => cidrContains(peer.ipBlock.cidr, e.ip!) && !except.some((x) => cidrContains(x, e.ip!))).map((e) => e.id);
    }
    const namespaces = peer.namespaceSelector
      ? [...this.podsByNamespace.keys()].filter((ns) => selectorMatches(peer.namespaceSelector, this.nsLabels(ns)))
      : [policyNamespace];
    return namespaces.flatMap((ns) => (this.podsByNamespace.get(ns) ?? []).filter((p) => selectorMatches(peer.podSelector, p.labels ?? {}))).map((p) => p.id);
  }

  /** Ids of the pods a policy's `spec.podSelector` selects (host-network pods never are). */
  selectedBy(policy: K8sObject): string[] {
    const ns = policy.metadata.namespace ?? 'default';
    return (this.podsByNamespace.get(ns) ?? []).filter((p) => selectorMatches(policy.spec?.podSelector, p.labels ?? {})).map((p) => p.id);
  }

  endpoint(id: string): Endpoint {
    const e = this.byId.get(id);
    if (!e) throw new Error(`no endpoint ${id}`);
    return e;
  }

  /** Whether a policy isolates the endpoint in that direction. */
  isolated(id: string, direction: Direction): boolean {
    return (direction === 'Ingress' ? this.ingress : this.egress).has(id);
  }

  /** Whether `from` may open a connection to `port` of `to`. */
  allows(from: Endpoint, to: Endpoint, port: EndpointPort): boolean {
    const permits = (rules: Applied, peer: Endpoint) => rules === undefined || rules.some((r) => (r.peers === undefined || r.peers.has(peer.id)) && portMatches(r.ports, port));
    return permits(this.egress.get(from.id), to) && permits(this.ingress.get(to.id), from);
  }

  /**
   * Every allowed connection between two endpoints, on every port of the destination. Pairs of two
   * addresses (no pod at either end) are left out: no NetworkPolicy can govern them.
   */
  connections(): Connection[] {
    const out: Connection[] = [];
    for (const from of this.endpoints) {
      for (const to of this.endpoints) {
        if (from.kind === 'address' && to.kind === 'address') continue;
        for (const port of to.ports) {
          if (this.allows(from, to, port)) out.push({ from: from.id, to: to.id, port: port.port, protocol: port.protocol, ...(port.name ? { portName: port.name } : {}) });
        }
      }
    }
    return out.sort(compareConnections);
  }
}

/** Builds the model for an environment: output endpoints, outsiders, policies. */
export function reachability(objects: readonly K8sObject[], config: ModelConfig): ReachabilityModel {
  return new ReachabilityModel(objects, allEndpoints(objects, config));
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** `from -> to port/protocol`: the identity of a connection. */
export function connectionKey(c: { from: string; to: string; port: number; protocol: string }): string {
  return `${c.from} -> ${c.to} ${c.port}/${c.protocol}`;
}

export function compareConnections(a: Connection, b: Connection): number {
  return a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.port - b.port || a.protocol.localeCompare(b.protocol);
}

const portLabel = (c: { port: number; protocol: string; portName?: string }) => `${c.port}/${c.protocol}${c.portName ? ` (${c.portName})` : ''}`;

/**
 * A compact source × destination grid: one row per source, one column per destination that
 * anything reaches, each cell the ports (`/UDP` marks UDP).
 */
export function formatMatrix(connections: readonly Connection[]): string {
  const sources = [...new Set(connections.map((c) => c.from))].sort();
  const targets = [...new Set(connections.map((c) => c.to))].sort();
  const cells = new Map<string, string[]>();
  for (const c of connections) {
    const k = `${c.from}\u0000${c.to}`;
    cells.set(k, [...(cells.get(k) ?? []), c.protocol === 'TCP' ? String(c.port) : `${c.port}/${c.protocol}`]);
  }
  const rows = [['from \\ to', ...targets], ...sources.map((s) => [s, ...targets.map((t) => (cells.get(`${s}\u0000${t}`) ?? ['.']).join(','))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * The connections as a Markdown table (source | destination | port | why). Sources reaching the
 * same destination port for the same reason share one row.
 */
export function renderMarkdownTable(connections: readonly Connection[], why: (c: Connection) => string = () => ''): string {
  const groups = new Map<string, { to: string; port: string; why: string; sources: string[] }>();
  for (const c of [...connections].sort(compareConnections)) {
    const reason = why(c);
    const key = `${c.to}\u0000${c.port}/${c.protocol}\u0000${reason}`;
    const g = groups.get(key) ?? { to: c.to, port: portLabel(c), why: reason, sources: [] };
    g.sources.push(c.from);
    groups.set(key, g);
  }
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| source | destination | port | why |', '| --- | --- | --- | --- |'];
  const rows = [...groups.values()].sort((a, b) => a.sources.join().localeCompare(b.sources.join()) || a.to.localeCompare(b.to) || a.port.localeCompare(b.port));
  for (const g of rows) lines.push(`| ${esc(g.sources.join(', '))} | ${esc(g.to)} | ${esc(g.port)} | ${esc(g.why)} |`);
  return lines.join('\n');
}

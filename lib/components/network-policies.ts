import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PART_OF, standardLabels } from '../wiring/labels';
import { Path, Peer, Wiring } from '../wiring/wiring';

/** Props of `NetworkPolicies`. */
export interface NetworkPoliciesProps {
  /** The registry every path is rendered from. */
  readonly wiring: Wiring;
  /** CIDR of the nodes: host-network pods (node-exporter) are reached there, since no policy selects them. */
  readonly nodeCidr: string;
  /** NodeLocal DNSCache's address, allowed on 53 UDP+TCP in every `allow-dns` next to kube-dns. @default none */
  readonly nodeLocalDnsIp?: string | null;
}

const NAMESPACE_NAME = 'kubernetes.io/metadata.name';
const DNS_PEER: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/**
 * Renders every NetworkPolicy from the wiring: default deny of ingress and egress in each namespace
 * the stack owns, DNS egress to kube-dns, and for each workload exactly the paths components declared
 * (both ends: the source's egress and the destination's ingress). Create it after every component,
 * since it reads the wiring once.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { wiring } = props;
    const workloads = wiring.allWorkloads();
    const paths = wiring.allPaths();
    const labels = standardLabels(PART_OF, 'network');
    const owned = [...new Set(workloads.filter((w) => w.owned).map((w) => w.namespace))];

    const dnsPorts: k8s.NetworkPolicyPort[] = [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }];
    const dnsEgress: k8s.NetworkPolicyEgressRule[] = [
      { to: [DNS_PEER], ports: dnsPorts },
      // NodeLocal DNSCache answers on the node (host network), which no pod selector matches.
      ...(props.nodeLocalDnsIp ? [{ to: [{ ipBlock: { cidr: `${props.nodeLocalDnsIp}/32` } }], ports: dnsPorts }] : []),
    ];
    for (const namespace of owned) {
      new k8s.KubeNetworkPolicy(this, `DefaultDeny-${namespace}`, {
        metadata: { name: 'default-deny', namespace, labels },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
      new k8s.KubeNetworkPolicy(this, `Dns-${namespace}`, {
        metadata: { name: 'allow-dns', namespace, labels },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: dnsEgress,
        },
      });
    }

    // `anywhere` has no peer: its rule lists only ports (see ingressRule/egressRule).
    const peerOf = (peer: Exclude<Peer, { kind: 'anywhere' }>): k8s.NetworkPolicyPeer => {
      if (peer.kind === 'cidr') return { ipBlock: { cidr: peer.cidr } };
      if (peer.kind === 'pods') {
        return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: peer.namespace } }, podSelector: peer.podLabels ? { matchLabels: peer.podLabels } : undefined };
      }
      if (peer.workload.hostNetwork) return { ipBlock: { cidr: props.nodeCidr } };
      return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: peer.workload.namespace } }, podSelector: { matchLabels: peer.workload.podLabels } };
    };
    // Named ports resolve on the destination pod; an ipBlock destination, or a port the manifest left
    // unnamed, has no name to match, so it gets the number.
    const portOf = (path: Path): k8s.NetworkPolicyPort => {
      const to = path.to;
      const named = to.kind === 'workload' && !to.workload.hostNetwork && path.portName
        && !to.workload.ports.find((p) => p.name === path.portName)?.unnamed;
      return { protocol: path.protocol, port: named ? k8s.IntOrString.fromString(path.portName!) : k8s.IntOrString.fromNumber(path.port) };
    };
    // A rule without `from`/`to` matches every source/destination: pods of every namespace, nodes,
    // addresses outside the cluster.
    const ingressRule = (path: Path): k8s.NetworkPolicyIngressRule => (path.from.kind === 'anywhere'
      ? { ports: [portOf(path)] } : { from: [peerOf(path.from)], ports: [portOf(path)] });
    const egressRule = (path: Path): k8s.NetworkPolicyEgressRule => (path.to.kind === 'anywhere'
      ? { ports: [portOf(path)] } : { to: [peerOf(path.to)], ports: [portOf(path)] });

    // Paths indexed by the workload at either end: one pass, not one scan of all paths per workload.
    const byEnd = (end: 'from' | 'to') => {
      const m = new Map<string, Path[]>();
      for (const p of paths) {
        const peer = p[end];
        if (peer.kind !== 'workload') continue;
        const list = m.get(peer.workload.id);
        if (list) list.push(p); else m.set(peer.workload.id, [p]);
      }
      return m;
    };
    const pathsTo = byEnd('to');
    const pathsFrom = byEnd('from');
    for (const w of workloads) {
      if (w.hostNetwork) continue; // a NetworkPolicy never selects host-network pods (see README)
      if (!w.owned && w.ingressPolicy === false) continue;
      const ingress = pathsTo.get(w.id) ?? [];
      const egress = w.owned ? pathsFrom.get(w.id) ?? [] : [];
      const reasons = [...new Set([...ingress, ...egress].map((p) => p.reason))].join('; ');
      new k8s.KubeNetworkPolicy(this, `Policy-${w.id}`, {
        metadata: { name: w.owned ? w.id : `${w.id}-monitoring`, namespace: w.namespace, labels, annotations: { 'nanoe-monitoring/paths': reasons } },
        spec: {
          podSelector: { matchLabels: w.podLabels },
          // The backend's pods only get allow rules for ingress; their egress stays the backend's business.
          policyTypes: w.owned ? ['Ingress', 'Egress'] : ['Ingress'],
          ingress: ingress.map(ingressRule),
          egress: w.owned ? egress.map(egressRule) : undefined,
        },
      });
    }
  }
}

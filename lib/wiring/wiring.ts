import { ConfigError } from '../config/errors';

/** A named container port. Names are what scrape jobs, Services and NetworkPolicies refer to. */
export interface PortSpec {
  /** IANA_SVC_NAME (at most 15 characters) as on the container port. */
  readonly name: string;
  /** The container port number. */
  readonly port: number;
  /** Transport protocol. @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * The container port has no name in its manifest (`name` is made up for the registry only), so
   * NetworkPolicies must use the number: a made-up name would match nothing. @default false
   */
  readonly unnamed?: boolean;
}

/** A group of pods the stack knows: where they run, how to select them and which ports they open. */
export interface Workload {
  /** Unique id, used in NetworkPolicy names. */
  readonly id: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select exactly these pods. */
  readonly podLabels: Record<string, string>;
  /** Every port of the pods that a path may use, by name. */
  readonly ports: readonly PortSpec[];
  /**
   * Pods on the host network are not subject to NetworkPolicies; paths to them are addressed to the
   * node CIDR instead of pod labels. @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Whether the stack owns the pods' whole policy (its own namespaces, default deny) or only adds
   * allow rules next to the pods' existing ones (the backend's pods).
   */
  readonly owned: boolean;
  /**
   * For pods the stack does not own: render an ingress policy that allows the declared paths (and
   * keeps the pods' other ports reachable from anywhere, as they were). Off for pods whose
   * metrics port is also their public serving port (the API): a policy there would cut their users off.
   * @default true
   */
  readonly ingressPolicy?: boolean;
}

/**
 * Something outside the stack's pods that a path starts or ends at. `anywhere` is every source or
 * destination (pods of every namespace, nodes, outside the cluster): a rule with ports and no peers.
 */
export type ExternalPeer =
  | { readonly kind: 'cidr'; readonly id: string; readonly cidr: string }
  | { readonly kind: 'pods'; readonly id: string; readonly namespace: string; readonly podLabels?: Record<string, string> }
  | { readonly kind: 'anywhere'; readonly id: string };

/** Every source or destination: a NetworkPolicy rule with ports and no `from`/`to`. */
export const ANYWHERE: ExternalPeer = { kind: 'anywhere', id: 'anywhere' };

/** One end of a path: a workload of the wiring, or something outside the stack's pods. */
export type Peer = { readonly kind: 'workload'; readonly workload: Workload } | ExternalPeer;

/** One allowed connection: `from` may open connections to `to` on `port`. */
export interface Path {
  /** Where connections start. */
  readonly from: Peer;
  /** Where they go. */
  readonly to: Peer;
  /** Destination port number. */
  readonly port: number;
  /** Destination port name, used in policies when the destination pods name it. @default the number only */
  readonly portName?: string;
  /** Transport protocol. */
  readonly protocol: 'TCP' | 'UDP';
  /** Why the path exists, written into the policy as documentation. */
  readonly reason: string;
}

/** A workload as the end of a path. */
export const workloadPeer = (workload: Workload): Peer => ({ kind: 'workload', workload });

export function peerId(peer: Peer): string {
  return peer.kind === 'workload' ? peer.workload.id : peer.id;
}

/**
 * The registry of workloads and the paths between them. Components only write here; the scrape
 * config, the Services and the NetworkPolicies are all rendered from it, so they cannot drift apart.
 */
export class Wiring {
  private readonly workloads = new Map<string, Workload>();
  private readonly paths = new Map<string, Path>();

  /** Registers a group of pods; ids and port names must be unique. */
  addWorkload(workload: Workload): Workload {
    if (this.workloads.has(workload.id)) {
      throw new ConfigError(`workload ${workload.id}`, workload.id, 'is declared twice', 'give each workload a unique id');
    }
    const byNumber = new Map<string, string>();
    const names = new Set<string>();
    for (const p of workload.ports) {
      const key = `${p.port}/${p.protocol ?? 'TCP'}`;
      const clash = byNumber.get(key);
      if (clash) {
        throw new ConfigError(`${workload.id}.ports.${p.name}`, p.port, `clashes with port "${clash}" of the same pod`, 'give every container port of a pod its own number');
      }
      if (names.has(p.name)) throw new ConfigError(`${workload.id}.ports`, p.name, 'is used twice as a port name', 'give every port its own name');
      if (p.name.length > 15) throw new ConfigError(`${workload.id}.ports`, p.name, 'is longer than 15 characters', 'shorten the port name (IANA_SVC_NAME)');
      byNumber.set(key, p.name);
      names.add(p.name);
    }
    this.workloads.set(workload.id, workload);
    return workload;
  }

  /** The port of `workload` called `name`; an error names the ports that exist. */
  port(workload: Workload, name: string): PortSpec {
    const p = workload.ports.find((x) => x.name === name);
    if (!p) {
      throw new ConfigError(`${workload.id}.ports`, name, 'is not a port of this workload', `use one of: ${workload.ports.map((x) => x.name).join(', ')}`);
    }
    return p;
  }

  /** Allows `from` to reach `to` on a named port of a workload. Declaring the same path twice is harmless. */
  allowToWorkload(from: Peer, to: Workload, portName: string, reason: string): Path {
    const p = this.port(to, portName);
    return this.allow({ from, to: workloadPeer(to), port: p.port, portName: p.name, protocol: p.protocol ?? 'TCP', reason });
  }

  /** Allows a path to or from something that is not one of the stack's workloads. */
  allow(path: Path): Path {
    const key = `${peerId(path.from)}>${peerId(path.to)}:${path.port}/${path.protocol}`;
    const existing = this.paths.get(key);
    if (existing) return existing;
    this.paths.set(key, path);
    return path;
  }

  allWorkloads(): Workload[] {
    return [...this.workloads.values()];
  }

  allPaths(): Path[] {
    return [...this.paths.values()];
  }
}

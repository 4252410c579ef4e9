import type { Resources, WebAuthConfig } from './basics';

/** A node agent DaemonSet (node-exporter, cAdvisor). */
export interface NodeAgentConfig {
  /** Image; its tag must be the release versions.json pins (a mirror is fine). @default the image versions.json pins */
  readonly image: string;
  /** Port the agent serves metrics on. */
  readonly port: number;
  /** Container resources. */
  readonly resources: Resources;
}

/** node-exporter: a node agent on the host network, behind basic auth. */
export interface NodeExporterConfig extends NodeAgentConfig {
  /**
   * Basic auth of node-exporter's port for every client (it listens on the node's IP, where any pod
   * can reach it). One Secret name in two namespaces: in `nodeAgentsNamespace` with key
   * `web-config.yml` only (the bcrypt hash), in `namespace` with key `password` only (Prometheus's
   * scrape). @default { secret: 'node-exporter-web-auth', username: 'nanoe' }
   */
  readonly webAuth: WebAuthConfig;
}

/** The values of `cadvisor.source`. */
export const CADVISOR_SOURCES = ['kubelet', 'daemonset'] as const;
/** Where the per-container metrics (`container_*`, `machine_*`) come from: the kubelet or a cAdvisor DaemonSet. */
export type CadvisorSource = (typeof CADVISOR_SOURCES)[number];

/** cAdvisor: the kubelet's built-in endpoint, or a DaemonSet of its own (README "Container metrics: kubelet or DaemonSet"). */
export interface CadvisorConfig extends NodeAgentConfig {
  /**
   * `kubelet`: Prometheus scrapes `/metrics/cadvisor` of every kubelet (HTTPS 10250, its service
   * account token, `get nodes/metrics`), no pod of its own. `daemonset`: a cAdvisor pod on every node,
   * running as root with read-only host paths and the containerd socket. `image`, `port` and
   * `resources` apply to the DaemonSet only. @default 'kubelet'
   */
  readonly source: CadvisorSource;
}

import type { BackupConfig } from './backup';
import type { Resources, WebAuthConfig } from './basics';
import type { CadvisorConfig, NodeExporterConfig } from './node-agents';

export type { Resources, WebAuthConfig } from './basics';
export type { NodeAgentConfig, NodeExporterConfig, CadvisorConfig, CadvisorSource } from './node-agents';

/**
 * The typed configuration of one monitoring environment. `config/environments.yaml` holds the
 * defaults and one entry per environment; `loadConfig()` merges, validates and returns these types.
 */

/** How the Nanoe API is instrumented. Client libraries differ, so every name is configurable. */
export interface ApiInstrumentation {
  /** Counter of finished HTTP requests. @default 'http_requests_total' */
  readonly requestsTotalMetric: string;
  /** Histogram (base name, without `_bucket`) of request durations in seconds; must have a bucket at 1. @default 'http_request_duration_seconds' */
  readonly durationHistogramMetric: string;
  /** Label that carries the HTTP status code on both metrics (`code` for Go promhttp, `status_code` for express-prom-bundle). @default 'code' */
  readonly statusCodeLabel: string;
}

/** The Nanoe API as a scrape target. */
export interface ApiTarget {
  /** Namespace the API pods run in. @default the backend namespace */
  readonly namespace: string;
  /** Labels that select the API pods (must also be set on the pods). @default { 'app.kubernetes.io/name': 'nanoe-api' } */
  readonly podLabels: Record<string, string>;
  /** Name of the container port that serves metrics. @default 'http' */
  readonly portName: string;
  /** Port number of that container port. @default 8000 */
  readonly port: number;
  /** HTTP path of the metrics endpoint. @default '/metrics' */
  readonly metricsPath: string;
  /** Metric and label names. */
  readonly instrumentation: ApiInstrumentation;
}

/** Prometheus server settings. */
export interface PrometheusConfig {
  /** Image; its tag must be the release versions.json pins (a mirror is fine). @default the image versions.json pins */
  readonly image: string;
  /** Replicas of the StatefulSet (each scrapes everything; HA pairs deduplicate downstream). @default 1 */
  readonly replicas: number;
  /** The URL users reach Prometheus at (`--web.external-url`: the links in alerts); null: the exposure host, else the in-cluster Service. @default null */
  readonly externalUrl: string | null;
  /** Size of each `prometheus-data` volume. @default '50Gi' */
  readonly storage: string;
  /** StorageClass of the data volume; null uses the cluster default. @default null */
  readonly storageClass: string | null;
  /** `--storage.tsdb.retention.time`. @default '15d' */
  readonly retentionTime: string;
  /** `--storage.tsdb.retention.size` in Prometheus units (powers of 1024); must leave headroom in `storage`. @default '40GB' */
  readonly retentionSize: string;
  /** Global scrape interval. @default '30s' */
  readonly scrapeInterval: string;
  /** Rule evaluation interval. @default '30s' */
  readonly evaluationInterval: string;
  /** Container resources. */
  readonly resources: Resources;
  /** Remote-write endpoints (Thanos Receive, Mimir, Cortex, VictoriaMetrics). @default [] */
  readonly remoteWrite: readonly RemoteWriteConfig[];
  /** A Thanos sidecar that uploads blocks to object storage and serves the Store API; null is off. @default null */
  readonly thanosSidecar: ThanosSidecarConfig | null;
  /** Lets a global Prometheus pull selected series from `/federate`; null is off. @default null */
  readonly federation: FederationConfig | null;
  /** Publishes Prometheus through an Ingress, behind basic auth; null keeps it cluster-internal. @default null */
  readonly exposure: ExposureConfig | null;
  /** Basic auth every client needs, in cluster too (ignored when `exposure` names its own). @default { secret: 'prometheus-web-auth', username: 'nanoe' } */
  readonly webAuth: WebAuthConfig;
}

/** Where pods of another team run: a namespace and the labels of its pods. */
export interface PodPeerConfig {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select the pods. */
  readonly podLabels: Record<string, string>;
}

/** One remote-write endpoint. */
export interface RemoteWriteConfig {
  /** Name of the queue (shows in Prometheus's remote-write metrics). */
  readonly name: string;
  /** Push URL, e.g. `https://mimir.example.com/api/v1/push`; https is required when credentials are sent. */
  readonly url: string;
  /** CIDR and port the endpoint is reached at, for Prometheus's egress policy. */
  readonly egress: { readonly cidr: string; readonly port: number };
  /** Basic-auth user name, or null for a bearer token or no auth. @default null */
  readonly basicAuthUsername: string | null;
  /** Secret with key `password` (basic auth) or `token` (bearer), or null for no auth. @default null */
  readonly credentialsSecret: string | null;
  /** Regular expressions of metric names that are not written (they stay local only). @default [] */
  readonly dropMetrics: readonly string[];
  /** Queue tuning (Prometheus `queue_config`). */
  readonly queue: { readonly capacity: number; readonly maxShards: number; readonly maxSamplesPerSend: number };
}

/** The optional Thanos sidecar. */
export interface ThanosSidecarConfig {
  /** Thanos image; its tag must be the release versions.json pins. @default the image versions.json pins */
  readonly image: string;
  /** Secret with key `objstore.yml` (Thanos object-store configuration). */
  readonly objectStoreSecret: string;
  /** The Thanos Querier pods that may call the Store API (gRPC 10901). */
  readonly querier: PodPeerConfig;
  /** Where the object store is reached, for the sidecar's egress policy. */
  readonly objectStoreEgress: { readonly cidr: string; readonly port: number };
}

/** Federation for a global Prometheus. */
export interface FederationConfig {
  /** The global Prometheus pods that may scrape `/federate`. */
  readonly from: PodPeerConfig;
  /** Series selectors (`match[]`) the global Prometheus pulls, e.g. recording rules only. */
  readonly match: readonly string[];
}

/** Publishing a server through the ingress controller. */
export interface ExposureConfig {
  /** Public host name. */
  readonly host: string;
  /** Secret with the TLS certificate for the host. */
  readonly tlsSecret: string;
  /**
   * Secret with key `web-config.yml` (a Prometheus web config whose `basic_auth_users` holds a bcrypt
   * hash for `username`) and key `password` (that user's password, for in-cluster clients).
   */
  readonly authSecret: string;
  /** The user in-cluster clients (Grafana, self-scrape, reloader, backups) authenticate as. */
  readonly username: string;
}

/** Alertmanager settings. */
export interface AlertmanagerConfig {
  /** Image; its tag must be the release versions.json pins (a mirror is fine). @default the image versions.json pins */
  readonly image: string;
  /**
   * Members of the Alertmanager cluster. Above 1 they gossip (9094 TCP+UDP) so that each alert is
   * notified once by the cluster; a PodDisruptionBudget and anti-affinity keep a majority running. @default 1
   */
  readonly replicas: number;
  /** The URL users reach Alertmanager at (`--web.external-url`, for links in notifications); null: the exposure host, else the in-cluster Service. @default null */
  readonly externalUrl: string | null;
  /** Publishes Alertmanager through an Ingress, behind basic auth; null keeps it cluster-internal. @default null */
  readonly exposure: ExposureConfig | null;
  /** Basic auth every client needs, in cluster too (ignored when `exposure` names its own). @default { secret: 'alertmanager-web-auth', username: 'nanoe' } */
  readonly webAuth: WebAuthConfig;
  /** Secret (created by the operator) holding `alertmanager.yml` with the receivers. @default 'alertmanager-config' */
  readonly configSecret: string;
  /** Size of the `alertmanager-data` volume (silences, notification log). @default '1Gi' */
  readonly storage: string;
  /** Where notifications may go (receivers are outside the cluster). @default [{ cidr: '0.0.0.0/0', port: 443 }] */
  readonly receiverEgress: readonly { readonly cidr: string; readonly port: number }[];
  /** Container resources. */
  readonly resources: Resources;
}

/** Grafana settings. */
export interface GrafanaConfig {
  /** Image; its tag must be the release versions.json pins (a mirror is fine). @default the image versions.json pins */
  readonly image: string;
  /** Secret (created by the operator) with keys `admin-user` and `admin-password`. @default 'grafana-admin' */
  readonly adminSecret: string;
  /**
   * Secret with key `secret-key`: Grafana's key for the data-source and contact-point secrets it stores
   * in `grafana.db` (without it, Grafana's public default key). Create it before Grafana's first start;
   * README "Secrets to create before applying" has the rotation procedure. @default 'grafana-secret-key'
   */
  readonly secretKeySecret: string;
  /** Size of the `grafana-data` volume. @default '10Gi' */
  readonly storage: string;
  /** StorageClass of the data volume; null uses the cluster default. @default null */
  readonly storageClass: string | null;
  /** Public host name of the Ingress; null emits no Ingress. @default null */
  readonly ingressHost: string | null;
  /** Secret with the Ingress TLS certificate. @default 'grafana-tls' */
  readonly ingressTlsSecret: string;
  /** Container resources. */
  readonly resources: Resources;
}

/** A database workload of the backend that gets an exporter sidecar. */
export interface DatabaseExporterConfig {
  /** Kind of the workload in the backend manifests. @default 'StatefulSet' */
  readonly workloadKind: string;
  /** Name of the workload in the backend manifests. */
  readonly workloadName: string;
  /** Secret in the backend namespace with the exporter's credentials. */
  readonly credentialsSecret: string;
  /** Exporter image; its tag must be the release versions.json pins (a mirror is fine). @default the image versions.json pins */
  readonly image: string;
  /** Exporter port. */
  readonly port: number;
  /** Exporter container resources. */
  readonly resources: Resources;
}

/** The Nanoe backend the stack watches. */
export interface BackendConfig {
  /** Namespace of the backend. @default 'nanoe' */
  readonly namespace: string;
  /**
   * Also create the backend's Namespace (in `dist/<env>/setup/`, never deleted by the stack). Off by
   * default: the backend's own deployment owns its namespace. @default false
   */
  readonly createNamespace: boolean;
  /** Directory (relative to the project root) with the backend's Postgres and Redis manifests. @default 'backend' */
  readonly manifestsPath: string;
  /** The Postgres workload. */
  readonly postgres: DatabaseExporterConfig;
  /** The Redis workload. */
  readonly redis: DatabaseExporterConfig;
  /** The API. */
  readonly api: ApiTarget;
}

/** Network facts of the cluster that NetworkPolicies need. */
export interface NetworkConfig {
  /** CIDR of the nodes (host-network pods such as node-exporter live there). @default '10.0.0.0/8' */
  readonly nodeCidr: string;
  /** CIDR of the Kubernetes API server endpoints, for service discovery. @default '10.0.0.0/8' */
  readonly apiServerCidr: string;
  /** Ports of the Kubernetes API server endpoints. @default [443, 6443] */
  readonly apiServerPorts: readonly number[];
  /**
   * The address of NodeLocal DNSCache, when the cluster runs it: the `nameserver` of a pod's
   * /etc/resolv.conf when that is not a kube-dns pod (usually 169.254.20.10). Every `allow-dns`
   * policy then also allows 53 UDP+TCP to it; without it the stack's pods lose DNS. null: pods
   * resolve through the kube-dns pods only. @default null
   */
  readonly nodeLocalDnsIp: string | null;
  /** The cluster's ingress controller, for every Ingress the stack emits. */
  readonly ingress: IngressConfig;
  /** Default deny of ingress and egress in the stack's namespaces; must stay true (synth refuses false). @default true */
  readonly defaultDeny: boolean;
}

/** The ingress controller that publishes Grafana (and Prometheus/Alertmanager when exposed). */
export interface IngressConfig {
  /** IngressClass name. @default 'nginx' */
  readonly className: string;
  /** cert-manager ClusterIssuer that issues the TLS Secrets; null when they are provided by other means. @default null */
  readonly clusterIssuer: string | null;
  /** The controller's pods: the only ones allowed to reach published services. */
  readonly controller: PodPeerConfig;
}

/** How dist/<env>/ is laid out for GitOps tools. */
export interface GitOpsConfig {
  /** One file per Kubernetes object instead of one file per environment. @default false */
  readonly filePerResource: boolean;
  /** Emit an Argo CD `Application` for this environment (in `argocdNamespace`); null is off. @default null */
  readonly argoCd: { readonly repoUrl: string; readonly revision: string; readonly project: string; readonly namespace: string } | null;
  /** Emit a Flux `Kustomization` for this environment; null is off. @default null */
  readonly flux: { readonly gitRepository: string; readonly namespace: string; readonly interval: string } | null;
}

/** One environment, fully resolved (defaults merged in). */
export interface EnvironmentConfig {
  /** Environment name, also the output folder `dist/<name>`. */
  readonly name: string;
  /** Namespace of the stack. @default 'monitoring' */
  readonly namespace: string;
  /** Namespace of the node agents (host access needs the privileged Pod Security level). @default 'monitoring-node-agents' */
  readonly nodeAgentsNamespace: string;
  readonly prometheus: PrometheusConfig;
  readonly alertmanager: AlertmanagerConfig;
  readonly grafana: GrafanaConfig;
  /** `lean`: exporter series no dashboard or rule reads are dropped at scrape (lib/content/metric-usage.ts); `full`: all kept. @default 'lean' */
  readonly metrics: 'lean' | 'full';
  readonly nodeExporter: NodeExporterConfig;
  readonly cadvisor: CadvisorConfig;
  readonly backend: BackendConfig;
  readonly network: NetworkConfig;
  readonly gitops: GitOpsConfig;
  /** Backups of prometheus-data and grafana-data (see lib/backup.ts for every field). */
  readonly backup: BackupConfig;
}

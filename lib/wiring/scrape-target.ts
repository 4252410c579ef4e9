import { Workload } from './wiring';

/** A typed scrape target: declaring one yields its scrape job, its Service port and its NetworkPolicy paths. */
export interface ScrapeTarget {
  /** Job name (the `job` label); unique per Prometheus. */
  readonly job: string;
  /** The pods to scrape. */
  readonly workload: Workload;
  /** Name of the pods' container port that serves metrics. */
  readonly portName: string;
  /** HTTP path of the metrics endpoint. @default '/metrics' */
  readonly metricsPath?: string;
  /** Overrides the global scrape interval. @default the global interval */
  readonly scrapeInterval?: string;
  /** Use the node name as `instance` (node agents), rather than the pod address. @default false */
  readonly instanceIsNode?: boolean;
  /** Metric relabelling applied after the scrape (e.g. to drop series nobody charts). @default none */
  readonly metricRelabelConfigs?: readonly Record<string, unknown>[];
  /** Basic auth for targets that ask for it: the user, and a Secret whose key `password` Prometheus mounts. @default none */
  readonly basicAuth?: { readonly username: string; readonly passwordSecret: string };
  /**
   * What one scrape may bring in. A target over a limit fails that scrape (`up` 0, InstanceDown
   * fires) instead of filling Prometheus's memory. @default DEFAULT_SCRAPE_LIMITS
   */
  readonly limits?: ScrapeLimits;
  /**
   * Metric names only this job exports (exact, or `prefix*`): every rule must select this job to
   * read them (lib/content/rule-jobs.ts), so another target cannot forge them. @default none
   */
  readonly ownsMetrics?: readonly string[];
  /**
   * The scrape Service is also the StatefulSet's governing Service: publish pods ready or not, so a
   * replica keeps its DNS name while it starts (a restore must see a Prometheus replaying its WAL).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
}

/** Per-scrape limits (Prometheus `sample_limit`, `label_limit`, `label_name_length_limit`, `label_value_length_limit`, `body_size_limit`). */
export interface ScrapeLimits {
  /** Samples per scrape after metric relabelling. */
  readonly sampleLimit: number;
  /** Labels per series. @default 30 */
  readonly labelLimit?: number;
  /** Length of a label name. @default 128 */
  readonly labelNameLengthLimit?: number;
  /** Length of a label value. @default 1024 */
  readonly labelValueLengthLimit?: number;
  /** Uncompressed size of the response body, in Prometheus units (`16MB`). */
  readonly bodySizeLimit: string;
}

/**
 * Limits of a job that does not set its own: 10,000 samples and 4 MB, about ten times what a
 * typical exporter serves here (node-exporter 419 series on a 2-CPU node, postgres-exporter 571,
 * redis-exporter 302: README "Sizing", docs/figures/series-budget.txt).
 */
export const DEFAULT_SCRAPE_LIMITS: ScrapeLimits = { sampleLimit: 10_000, bodySizeLimit: '4MB' };

/**
 * Series a target must never set: Prometheus's own per-target series (`up`, `scrape_*`) and alert
 * state (`ALERTS*`) are written by Prometheus; names with a colon are recording-rule results
 * (`job:nanoe_api_request_errors:ratio_rate5m`), which alerts read without a job selector. A target
 * serving any of them is forging, so they are dropped from every scrape before they are stored.
 */
export const FORGED_SERIES_DROP: Record<string, unknown> = {
  source_labels: ['__name__'], regex: 'up|scrape_.+|ALERTS|ALERTS_FOR_STATE|.*:.*', action: 'drop',
};

/** Where Prometheus mounts the Secret `name` (credentials files are read from there). */
export function secretMountPath(name: string): string {
  return `/etc/prometheus/secrets/${name}`;
}

/** Name of the headless Service that scrape discovery watches for `job`. */
export function scrapeServiceName(job: string): string {
  return `${job}-metrics`;
}

/**
 * The `scrape_configs` entry of a target. Discovery uses the target's own headless Service
 * (role `endpointslice`, limited to its namespace), so the job, the Service port and the container port
 * all come from the same declaration.
 */
export function renderScrapeJob(t: ScrapeTarget): Record<string, unknown> {
  const relabel: Record<string, unknown>[] = [
    { source_labels: ['__meta_kubernetes_service_name'], regex: scrapeServiceName(t.job), action: 'keep' },
    { source_labels: ['__meta_kubernetes_endpointslice_port_name'], regex: t.portName, action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
  ];
  if (t.instanceIsNode) relabel.push({ source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' });
  const limits = t.limits ?? DEFAULT_SCRAPE_LIMITS;
  return {
    job_name: t.job,
    ...(t.scrapeInterval ? { scrape_interval: t.scrapeInterval } : {}),
    metrics_path: t.metricsPath ?? '/metrics',
    ...guardFields(limits),
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [t.workload.namespace] } }],
    ...(t.basicAuth ? { basic_auth: { username: t.basicAuth.username, password_file: `${secretMountPath(t.basicAuth.passwordSecret)}/password` } } : {}),
    relabel_configs: relabel,
    metric_relabel_configs: [FORGED_SERIES_DROP, ...(t.metricRelabelConfigs ?? [])],
  };
}

/**
 * What every job guards itself with: the target's own labels never override the ones Prometheus
 * attaches (job, instance, namespace…), and one scrape may bring in only so much.
 */
function guardFields(limits: ScrapeLimits): Record<string, unknown> {
  return {
    honor_labels: false,
    sample_limit: limits.sampleLimit,
    label_limit: limits.labelLimit ?? 30,
    label_name_length_limit: limits.labelNameLengthLimit ?? 128,
    label_value_length_limit: limits.labelValueLengthLimit ?? 1024,
    body_size_limit: limits.bodySizeLimit,
  };
}

/** Where Prometheus reads the service account token and the cluster CA (kubelet scraping). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A scrape target on every node's own address, discovered through the node list (role `node`): the
 * kubelet's HTTPS endpoint, authenticated with Prometheus's service account token and authorized by
 * the kubelet as `get nodes/metrics` (kubernetes pkg/kubelet/server/auth.go maps `/metrics` to that
 * subresource). The address is the node's InternalIP and its `daemonEndpoints.kubeletEndpoint` port.
 */
export interface NodeScrapeTarget {
  /** Job name (the `job` label). */
  readonly job: string;
  /** HTTP path on the kubelet (authorized as `nodes/metrics` for every path under `/metrics`). @default '/metrics' */
  readonly metricsPath?: string;
  /** The port the kubelet serves on (for the NetworkPolicy; discovery takes the node's own). */
  readonly port: number;
  /** CIDR of the nodes, where Prometheus's egress is allowed. */
  readonly nodeCidr: string;
  /** Why the path exists (policy documentation). */
  readonly reason: string;
  /** Metric relabelling after the scrape (the keep-list). @default none */
  readonly metricRelabelConfigs?: readonly Record<string, unknown>[];
  /** Metric names only this job exports (see ScrapeTarget.ownsMetrics). @default none */
  readonly ownsMetrics?: readonly string[];
  /** Per-scrape limits. @default DEFAULT_SCRAPE_LIMITS */
  readonly limits?: ScrapeLimits;
}

/** The kubelet's HTTPS port (kubernetes pkg/cluster/ports KubeletPort; facts/kubelet-unknown.json). */
export const KUBELET_PORT = 10250;

/** The `scrape_configs` entry of a node target (the kubelet). */
export function renderNodeScrapeJob(t: NodeScrapeTarget): Record<string, unknown> {
  const limits = t.limits ?? DEFAULT_SCRAPE_LIMITS;
  return {
    job_name: t.job,
    scheme: 'https',
    metrics_path: t.metricsPath ?? '/metrics',
    ...guardFields(limits),
    kubernetes_sd_configs: [{ role: 'node' }],
    authorization: { credentials_file: `${SERVICE_ACCOUNT_DIR}/token` },
    // Verified against the cluster CA: the token must never go to an address that only claims to be
    // a kubelet. Kubelets with self-signed serving certificates fail this scrape (InstanceDown):
    // enable serverTLSBootstrap (README "Capacity").
    tls_config: { ca_file: `${SERVICE_ACCOUNT_DIR}/ca.crt` },
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    ],
    metric_relabel_configs: [FORGED_SERIES_DROP, ...(t.metricRelabelConfigs ?? [])],
  };
}

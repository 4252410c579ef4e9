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
   * The scrape Service is also the StatefulSet's governing Service: publish pods ready or not, so a
   * replica keeps its DNS name while it starts (a restore must see a Prometheus replaying its WAL).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
}

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
 * (role `endpoints`, limited to its namespace), so the job, the Service port and the container port
 * all come from the same declaration.
 */
export function renderScrapeJob(t: ScrapeTarget): Record<string, unknown> {
  const relabel: Record<string, unknown>[] = [
    { source_labels: ['__meta_kubernetes_service_name'], regex: scrapeServiceName(t.job), action: 'keep' },
    { source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: t.portName, action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
  ];
  if (t.instanceIsNode) relabel.push({ source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' });
  return {
    job_name: t.job,
    ...(t.scrapeInterval ? { scrape_interval: t.scrapeInterval } : {}),
    metrics_path: t.metricsPath ?? '/metrics',
    kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [t.workload.namespace] } }],
    ...(t.basicAuth ? { basic_auth: { username: t.basicAuth.username, password_file: `${secretMountPath(t.basicAuth.passwordSecret)}/password` } } : {}),
    relabel_configs: relabel,
    ...(t.metricRelabelConfigs ? { metric_relabel_configs: [...t.metricRelabelConfigs] } : {}),
  };
}

import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { PrometheusConfig } from '../config/types';
import { standardLabels } from '../wiring/labels';
import { NodeScrapeTarget, renderNodeScrapeJob, renderScrapeJob, ScrapeTarget, secretMountPath } from '../wiring/scrape-target';
import { Wiring, Workload, workloadPeer } from '../wiring/wiring';

/** Where Prometheus sends alerts: the Alertmanager Service, its port name and the basic auth it asks for. */
export interface AlertmanagersTarget {
  /** Namespace of the Alertmanager pods. */
  readonly namespace: string;
  /** Name of the Service whose endpoints are discovered. */
  readonly service: string;
  /** Name of the Service port to send to. */
  readonly portName: string;
  /** Credentials, when Alertmanager asks for them. @default none */
  readonly basicAuth?: { readonly username: string; readonly passwordSecret: string };
}

/** What `prometheus.yml` is rendered from. */
export interface PrometheusConfigInput {
  /** Server settings (intervals, remote write). */
  readonly config: PrometheusConfig;
  /** Environment name, set as the `environment` external label. */
  readonly environment: string;
  /** Where alerts go. @default no alerting section */
  readonly alertmanagers?: AlertmanagersTarget;
  /** Paths of the rule files inside the container. */
  readonly ruleFiles: readonly string[];
  /** The scrape targets, in job order. */
  readonly targets: readonly ScrapeTarget[];
  /** Targets on every node (the kubelet), after the others. @default none */
  readonly nodeTargets?: readonly NodeScrapeTarget[];
}

/** The full prometheus.yml as an object. */
export function renderPrometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  const { config, environment, ruleFiles, targets } = input;
  const am = input.alertmanagers;
  return {
    global: {
      scrape_interval: config.scrapeInterval,
      evaluation_interval: config.evaluationInterval,
      // `replica` distinguishes HA replicas for deduplication downstream; expanded from the pod name.
      external_labels: { environment, replica: '${POD_NAME}' },
    },
    ...(am ? {
      alerting: {
        alertmanagers: [{
          kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [am.namespace] } }],
          ...(am.basicAuth ? { basic_auth: { username: am.basicAuth.username, password_file: `${secretMountPath(am.basicAuth.passwordSecret)}/password` } } : {}),
          relabel_configs: [
            { source_labels: ['__meta_kubernetes_service_name'], regex: am.service, action: 'keep' },
            { source_labels: ['__meta_kubernetes_endpointslice_port_name'], regex: am.portName, action: 'keep' },
          ],
        }],
        // Every replica sends every alert to every Alertmanager member; without its `replica` external
        // label the copies are the same alert and Alertmanager notifies once. External labels are set
        // before these relabelings run (prometheus/prometheus v3.5.3 notifier/alert.go relabelAlerts).
        alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
      },
    } : {}),
    rule_files: ruleFiles,
    scrape_configs: [...targets.map(renderScrapeJob), ...(input.nodeTargets ?? []).map(renderNodeScrapeJob)],
    ...(config.remoteWrite.length > 0 ? {
      remote_write: config.remoteWrite.map((rw) => ({
        name: rw.name,
        url: rw.url,
        ...(rw.credentialsSecret && rw.basicAuthUsername ? { basic_auth: { username: rw.basicAuthUsername, password_file: `${secretMountPath(rw.credentialsSecret)}/password` } } : {}),
        ...(rw.credentialsSecret && !rw.basicAuthUsername ? { authorization: { credentials_file: `${secretMountPath(rw.credentialsSecret)}/token` } } : {}),
        queue_config: { capacity: rw.queue.capacity, max_shards: rw.queue.maxShards, max_samples_per_send: rw.queue.maxSamplesPerSend },
        ...(rw.dropMetrics.length > 0 ? { write_relabel_configs: rw.dropMetrics.map((regex) => ({ source_labels: ['__name__'], regex, action: 'drop' })) } : {}),
      })),
    } : {}),
  };
}

/**
 * The scrape job a global Prometheus adds to pull this Prometheus's selected series from `addresses`
 * (host:port): one target per replica, by its stable pod DNS name, never the Service over all of them
 * (each scrape would land on another replica and every series would flip between `replica` values).
 * Each series arrives once per replica, told apart by its `replica` external label.
 */
export function renderFederationJob(config: PrometheusConfig, environment: string, addresses: readonly string[], auth: { username: string; passwordSecret: string }): Record<string, unknown> {
  return {
    job_name: `federate-${environment}`,
    honor_labels: true, // keep the original job/instance labels of the federated series
    metrics_path: '/federate',
    // Prometheus asks every client for basic auth: the global Prometheus mounts the Secret's `password`.
    basic_auth: { username: auth.username, password_file: `${secretMountPath(auth.passwordSecret)}/password` },
    params: { 'match[]': [...(config.federation?.match ?? [])] },
    static_configs: [{ targets: [...addresses] }],
  };
}

/**
 * Read-only discovery of Services, EndpointSlices and Pods in one namespace for the `prometheus`
 * service account of `prometheusNamespace`: nothing cluster-wide. The `endpointslice` role watches
 * exactly these three (prometheus/prometheus v3.5.3 discovery/kubernetes/kubernetes.go, the informers
 * of RoleEndpointSlice: pod, service, endpointslice); the Endpoints API is deprecated from Kubernetes 1.33.
 */
export function discoveryRbac(scope: Construct, namespace: string, prometheusNamespace: string): void {
  const labels = standardLabels('prometheus', 'server');
  new k8s.KubeRole(scope, `DiscoveryRole-${namespace}`, {
    metadata: { name: 'prometheus-discovery', namespace, labels },
    rules: [
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  new k8s.KubeRoleBinding(scope, `DiscoveryBinding-${namespace}`, {
    metadata: { name: 'prometheus-discovery', namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-discovery' },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: prometheusNamespace }],
  });
}

/**
 * Cluster-wide, read-only and minimal, for scraping the kubelets: `list`/`watch` nodes (role `node`
 * discovery) and `get nodes/metrics` (the kubelet's authorization of `/metrics`). No `nodes/proxy`,
 * no `nodes/stats`, nothing else.
 */
export function kubeletRbac(scope: Construct, prometheusNamespace: string): void {
  const labels = standardLabels('prometheus', 'server');
  const name = `nanoe-monitoring-prometheus-kubelet-${prometheusNamespace}`;
  new k8s.KubeClusterRole(scope, 'KubeletRole', {
    metadata: { name, labels },
    rules: [
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ],
  });
  new k8s.KubeClusterRoleBinding(scope, 'KubeletBinding', {
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: prometheusNamespace }],
  });
}

/** The stable DNS names of a StatefulSet's pods `<set>-<i>.<governing Service>` with `port`. */
export function replicaAddresses(statefulSet: string, replicas: number, governingService: string, port: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${statefulSet}-${i}.${governingService}:${port}`);
}

/** The paths Prometheus's settings declare: discovery, remote write, federation, Thanos. */
export function declarePaths(wiring: Wiring, prometheus: Workload, config: PrometheusConfig, apiServer: { readonly cidr: string; readonly ports: readonly number[] }): void {
  const self = workloadPeer(prometheus);
  for (const port of apiServer.ports) {
    wiring.allow({ from: self, to: { kind: 'cidr', id: 'kube-apiserver', cidr: apiServer.cidr }, port, protocol: 'TCP', reason: 'Kubernetes service discovery' });
  }
  for (const rw of config.remoteWrite) {
    wiring.allow({ from: self, to: { kind: 'cidr', id: `remote-write-${rw.name}`, cidr: rw.egress.cidr }, port: rw.egress.port, protocol: 'TCP', reason: `remote write ${rw.name}` });
  }
  if (config.federation) {
    const from = config.federation.from;
    wiring.allowToWorkload({ kind: 'pods', id: 'federation', namespace: from.namespace, podLabels: from.podLabels }, prometheus, 'web', 'federation by the global Prometheus');
  }
  if (config.thanosSidecar) {
    const t = config.thanosSidecar;
    wiring.allowToWorkload({ kind: 'pods', id: 'thanos-querier', namespace: t.querier.namespace, podLabels: t.querier.podLabels }, prometheus, 'grpc', 'Thanos Store API');
    wiring.allow({ from: self, to: { kind: 'cidr', id: 'object-store', cidr: t.objectStoreEgress.cidr }, port: t.objectStoreEgress.port, protocol: 'TCP', reason: 'Thanos block upload' });
  }
}

import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { CadvisorConfig } from '../config/types';
import { nodeAgentDaemonSet, NodeAgentProps } from './node-agent';
import { container, httpProbe } from './pod-security';
import type { Prometheus } from './prometheus';
import { KUBELET_PORT, ScrapeLimits } from '../wiring/scrape-target';
import { Wiring, Workload } from '../wiring/wiring';

/** Job name of the per-container metrics, whichever source serves them (the rules select it). */
export const CADVISOR_JOB = 'cadvisor';

/** The kubelet's built-in cAdvisor endpoint (kubernetes pkg/kubelet/server/server.go cadvisorMetricsPath; facts/kubelet-unknown.json). */
export const KUBELET_CADVISOR_PATH = '/metrics/cadvisor';

/**
 * cAdvisor metric groups nobody charts here (see cAdvisor's -disable_metrics): each one adds series
 * per container; the dashboards and rules use cpu, memory, oom_event and the spec metrics only. Only
 * groups the pinned release accepts (facts/cadvisor-0.60.5.json): an unknown group stops cAdvisor at
 * start-up. `network`, `tcp`, `udp`, `advtcp`, `process` and `sched` read `/proc/<pid>/…` of each
 * container's host pid, which needs the host's `/proc` (at `/rootfs/proc`): without that mount they
 * would read cAdvisor's own pid namespace, so they stay off (facts: `hostPaths.readsUnderRootfs`).
 */
export const CADVISOR_DISABLED_METRICS = [
  'advtcp', 'cpu_topology', 'cpuset', 'hugetlb', 'memory_numa', 'network', 'percpu',
  'perf_event', 'pressure', 'process', 'referenced_memory', 'resctrl', 'sched', 'tcp', 'udp',
];

/** cAdvisor's Kubernetes container labels, mapped to the names the dashboards use. */
export const CADVISOR_METRIC_RELABELINGS: readonly Record<string, unknown>[] = [
  { source_labels: ['container_label_io_kubernetes_pod_namespace'], target_label: 'namespace' },
  { source_labels: ['container_label_io_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['container_label_io_kubernetes_container_name'], target_label: 'container' },
  { regex: 'container_label_.*', action: 'labeldrop' },
];

/**
 * The `process` group (cAdvisor lib/metrics/prometheus.go; facts/cadvisor-0.60.5.json): the kubelet
 * serves it, the DaemonSet does not, nobody charts it. Dropped from the kubelet's endpoint so both
 * sources bring the same series per container.
 */
export const CADVISOR_PROCESS_METRICS = ['container_file_descriptors', 'container_processes', 'container_sockets', 'container_threads', 'container_threads_max', 'container_ulimits_soft'] as const;

/**
 * Metric relabelling of the kubelet's `/metrics/cadvisor`: it already labels `namespace`, `pod` and
 * `container` (kubernetes pkg/kubelet/server/server.go containerPrometheusLabelsFunc), so only names
 * are filtered: the cAdvisor families, without the process group.
 */
export const KUBELET_CADVISOR_RELABELINGS: readonly Record<string, unknown>[] = [
  { source_labels: ['__name__'], regex: 'container_.+|machine_.+', action: 'keep' },
  { source_labels: ['__name__'], regex: CADVISOR_PROCESS_METRICS.join('|'), action: 'drop' },
];

/**
 * The host paths the DaemonSet mounts, each read-only, with what cAdvisor v0.60.5 reads there
 * (facts/cadvisor-0.60.5.json `hostPaths`): [volume, host path]. Not `/`: that would hand a root
 * process every root-owned file of the node (kubelet keys, every pod's Secret volumes). Not
 * `/rootfs/proc` either (see CADVISOR_DISABLED_METRICS). `/sys/fs/cgroup` is mounted on its own so
 * that it is read-only too: a read-only mount of `/sys` leaves its submounts writable (Kubernetes 1.27,
 * the API this library targets, has no `recursiveReadOnly`).
 */
export const CADVISOR_HOST_PATHS: readonly (readonly [string, string])[] = [
  ['sys', '/sys'], // machine info (CPU topology, block and network devices) and the cgroup hierarchy
  ['cgroup', '/sys/fs/cgroup'], // per-container cpu, memory, io statistics (cgroup v2: one mount, read-only)
  ['containerd', '/run/containerd'], // containerd.sock: container names and Kubernetes labels
  ['disk', '/dev/disk'], // /dev/disk/by-uuid: names of the devices in the io statistics
];

/**
 * cAdvisor on every node for per-container CPU and memory. It reads the host's cgroups and asks
 * containerd for container metadata, so it runs as root (the socket and cgroup files are root's), but
 * unprivileged, without capabilities, on the pod network (so a NetworkPolicy does protect it), with a
 * read-only root and only the host paths of CADVISOR_HOST_PATHS, read-only.
 */
export class Cadvisor extends Construct {
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id);
    const { config } = props;
    this.workload = nodeAgentDaemonSet(this, 'cadvisor', props, false, (workload): k8s.PodSpec => ({
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container({
        name: 'cadvisor', image: config.image, uid: 0, resources: config.resources,
        securityContext: {
          runAsUser: 0, // reads root-owned cgroup files and the root-owned containerd socket
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        args: [
          `--port=${config.port}`,
          '--housekeeping_interval=30s',
          '--max_housekeeping_interval=35s',
          '--docker_only=false',
          '--store_container_labels=false',
          '--whitelisted_container_labels=io.kubernetes.container.name,io.kubernetes.pod.name,io.kubernetes.pod.namespace',
          `--disable_metrics=${CADVISOR_DISABLED_METRICS.join(',')}`,
        ],
        ports: workload.ports,
        volumeMounts: CADVISOR_HOST_PATHS.map(([name, path]) => ({ name, mountPath: path, readOnly: true })),
        readinessProbe: httpProbe('/healthz', 'metrics'),
        livenessProbe: httpProbe('/healthz', 'metrics', 30),
      })],
      volumes: CADVISOR_HOST_PATHS.map(([name, path]) => ({ name, hostPath: { path } })),
    }));
  }
}

/** Props of `scrapeContainerMetrics`. */
export interface ContainerMetricsProps {
  /** Source (kubelet or DaemonSet) and the DaemonSet's image, port and resources. */
  readonly config: CadvisorConfig;
  /** Namespace of the node agents (the DaemonSet). */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** The Prometheus that scrapes the metrics. */
  readonly prometheus: Prometheus;
  /** CIDR of the nodes (where the kubelets listen). */
  readonly nodeCidr: string;
  /** Per-scrape limits of the job. */
  readonly limits: ScrapeLimits;
}

/**
 * The per-container metrics as job `cadvisor`: from every kubelet's `/metrics/cadvisor` (no pod,
 * no NetworkPolicy path but Prometheus → node CIDR:10250), or from the cAdvisor DaemonSet. Either
 * way the series carry `namespace`, `pod` and `container`.
 */
export function scrapeContainerMetrics(scope: Construct, props: ContainerMetricsProps): void {
  const common = { job: CADVISOR_JOB, ownsMetrics: ['container_*', 'machine_*'], limits: props.limits };
  if (props.config.source === 'kubelet') {
    props.prometheus.scrapeNodes({
      ...common, port: KUBELET_PORT, metricsPath: KUBELET_CADVISOR_PATH, nodeCidr: props.nodeCidr,
      reason: 'scrape job cadvisor (the kubelet\'s /metrics/cadvisor)', metricRelabelConfigs: KUBELET_CADVISOR_RELABELINGS,
    });
    return;
  }
  const cadvisor = new Cadvisor(scope, 'Cadvisor', { config: props.config, namespace: props.namespace, wiring: props.wiring });
  props.prometheus.scrape({ ...common, workload: cadvisor.workload, portName: 'metrics', instanceIsNode: true, metricRelabelConfigs: CADVISOR_METRIC_RELABELINGS });
}

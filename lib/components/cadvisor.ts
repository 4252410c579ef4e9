import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { nodeAgentDaemonSet, NodeAgentProps } from './node-agent';
import { container, httpProbe } from './pod-security';
import { Workload } from '../wiring/wiring';

/**
 * cAdvisor metric groups nobody charts here (see cAdvisor's -disable_metrics): each one adds series
 * per container; the dashboards use cpu, memory, network and disk only. Only groups the pinned
 * release accepts (facts/cadvisor-*.json): an unknown group stops cAdvisor at start-up.
 */
export const CADVISOR_DISABLED_METRICS = [
  'advtcp', 'cpu_topology', 'cpuset', 'hugetlb', 'memory_numa', 'percpu',
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
 * cAdvisor on every node for per-container CPU and memory. It reads the host's cgroups and runtime
 * state through read-only host paths and therefore runs as root, but unprivileged, without
 * capabilities, on the pod network (so a NetworkPolicy does protect it) and with a read-only root.
 */
export class Cadvisor extends Construct {
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id);
    const { config } = props;
    const hostPaths: [string, string][] = [
      ['rootfs', '/'], ['var-run', '/var/run'], ['sys', '/sys'], ['containerd', '/var/lib/containerd'], ['docker', '/var/lib/docker'], ['disk', '/dev/disk'],
    ];
    this.workload = nodeAgentDaemonSet(this, 'cadvisor', props, false, (workload): k8s.PodSpec => ({
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container({
        name: 'cadvisor', image: config.image, uid: 0, resources: config.resources,
        securityContext: {
          runAsUser: 0, // reads root-owned cgroup and runtime state on the host
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
        volumeMounts: hostPaths.map(([name, path]) => ({ name, mountPath: path === '/' ? '/rootfs' : path, readOnly: true })),
        readinessProbe: httpProbe('/healthz', 'metrics'),
        livenessProbe: httpProbe('/healthz', 'metrics', 30),
      })],
      volumes: hostPaths.map(([name, path]) => ({ name, hostPath: { path } })),
    }));
  }
}

import { Construct } from 'constructs';
import { NodeAgentConfig } from './config/types';
import { kubeObject } from './kube-object';
import { selectorLabels, standardLabels } from './labels';
import { container, httpProbe } from './pod-security';
import { Wiring, Workload } from './wiring';

const NOBODY = 65534;
/** Pseudo and container filesystems whose usage says nothing about the node's disks. */
const IGNORED_FS_TYPES = '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|tmpfs)$';
/** Mount points of the kubelet and container runtimes: one series per pod volume otherwise. */
const IGNORED_MOUNT_POINTS = '^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containerd/.+|var/lib/kubelet/.+)($|/)';
/** Virtual network devices (one per pod) that would multiply the network series. */
const IGNORED_NET_DEVICES = '^(lo|veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|docker.*|virbr.*|tunl.*|vxlan.*|genev.*)$';

/** Props of `NodeExporter`. */
export interface NodeExporterProps {
  /** Image, port, resources. */
  readonly config: NodeAgentConfig;
  /** Namespace of the node agents (Pod Security level privileged: host network, PID and paths). */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
}

/**
 * node-exporter on every node, tolerating every taint. It needs the host's network (to see the
 * node's interfaces), PID namespace and read-only views of `/`, `/proc` and `/sys`, which the
 * baseline Pod Security level forbids; it runs as a numeric non-root user with no capabilities and a
 * read-only root filesystem, and nothing else. NetworkPolicies cannot select host-network pods, so
 * Prometheus reaches it through the node CIDR.
 */
export class NodeExporter extends Construct {
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const { config, namespace, wiring } = props;
    const labels = standardLabels('node-exporter', 'node-agent');
    this.workload = wiring.addWorkload({
      id: 'node-exporter', namespace, podLabels: selectorLabels('node-exporter'), owned: true, hostNetwork: true,
      ports: [{ name: 'metrics', port: config.port }],
    });
    kubeObject(this, 'DaemonSet', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-exporter', namespace, labels },
      spec: {
        selector: { matchLabels: this.workload.podLabels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: {
          metadata: { labels: { ...labels, ...this.workload.podLabels } },
          spec: {
            hostNetwork: true,
            hostPID: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            automountServiceAccountToken: false,
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            securityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [container({
              name: 'node-exporter', image: config.image, uid: NOBODY, resources: config.resources,
              args: [
                `--web.listen-address=:${config.port}`,
                '--path.procfs=/host/proc',
                '--path.sysfs=/host/sys',
                '--path.rootfs=/host/root',
                `--collector.filesystem.fs-types-exclude=${IGNORED_FS_TYPES}`,
                `--collector.filesystem.mount-points-exclude=${IGNORED_MOUNT_POINTS}`,
                `--collector.netdev.device-exclude=${IGNORED_NET_DEVICES}`,
                `--collector.netclass.ignored-devices=${IGNORED_NET_DEVICES}`,
                '--no-collector.wifi',
                '--no-collector.hwmon',
              ],
              ports: this.workload.ports,
              volumeMounts: [
                { name: 'proc', mountPath: '/host/proc', readOnly: true },
                { name: 'sys', mountPath: '/host/sys', readOnly: true },
                { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
              ],
              readinessProbe: httpProbe('/', 'metrics'),
              livenessProbe: httpProbe('/', 'metrics', 30),
            })],
            volumes: [
              { name: 'proc', hostPath: { path: '/proc' } },
              { name: 'sys', hostPath: { path: '/sys' } },
              { name: 'root', hostPath: { path: '/' } },
            ],
          },
        },
      },
    });
  }
}

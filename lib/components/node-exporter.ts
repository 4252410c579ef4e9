import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { nodeAgentDaemonSet, NodeAgentProps } from './node-agent';
import { container } from './pod-security';
import { webAuth } from './published-service';
import { Workload } from '../wiring/wiring';
import { nodeExporterDeviceExclude } from '../content/node-network';
import { NodeExporterConfig } from '../config/types';
import { UIDS } from './identities';

const UID = UIDS.nodeExporter;
/** Pseudo and container filesystems whose usage says nothing about the node's disks. */
const IGNORED_FS_TYPES = '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|tmpfs)$';
/** Mount points of the kubelet and container runtimes: one series per pod volume otherwise. */
const IGNORED_MOUNT_POINTS = '^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containerd/.+|var/lib/kubelet/.+)($|/)';
/** Virtual network devices of every common CNI (one per pod): the same table as the network recording rules. */
const IGNORED_NET_DEVICES = nodeExporterDeviceExclude();

/** Props of `NodeExporter`. */
export interface NodeExporterProps extends NodeAgentProps {
  /** Image, port, resources and the basic auth every client needs. */
  readonly config: NodeExporterConfig;
}

/**
 * node-exporter on every node, tolerating every taint. It needs the host's network (to see the
 * node's interfaces) and read-only views of `/`, `/proc` and `/sys`, which the
 * baseline Pod Security level forbids; it runs as a numeric non-root user with no capabilities and a
 * read-only root filesystem, and nothing else. NetworkPolicies cannot select host-network pods, so
 * Prometheus reaches it through the node CIDR; every client, Prometheus included, needs the basic
 * auth of `config.webAuth` (exporter-toolkit's `--web.config.file`, the same as Prometheus's own).
 */
export class NodeExporter extends Construct {
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const { config } = props;
    // Only the `web-config.yml` key (the bcrypt hash), mode 0440, group-readable through fsGroup; TCP probes.
    const auth = webAuth(config.webAuth, 'metrics');
    this.workload = nodeAgentDaemonSet(this, 'node-exporter', props, true, (workload): k8s.PodSpec => ({
      // No hostPID: the host's /proc mount is all the collectors read. Its own uid: with the host's
      // /proc mounted, a shared uid could read every same-uid process's environment on the node.
      dnsPolicy: 'ClusterFirstWithHostNet',
      securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container({
        name: 'node-exporter', image: config.image, uid: UID, resources: config.resources,
        // Only on the node's own IP (the one Prometheus scrapes), not on every host interface.
        env: [{ name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
        args: [
          `--web.listen-address=$(NODE_IP):${config.port}`,
          '--path.procfs=/host/proc',
          '--path.sysfs=/host/sys',
          '--path.rootfs=/host/root',
          `--collector.filesystem.fs-types-exclude=${IGNORED_FS_TYPES}`,
          `--collector.filesystem.mount-points-exclude=${IGNORED_MOUNT_POINTS}`,
          `--collector.netdev.device-exclude=${IGNORED_NET_DEVICES}`,
          `--collector.netclass.ignored-devices=${IGNORED_NET_DEVICES}`,
          '--no-collector.wifi',
          '--no-collector.hwmon',
          ...auth.args,
        ],
        ports: workload.ports,
        volumeMounts: [
          { name: 'proc', mountPath: '/host/proc', readOnly: true },
          { name: 'sys', mountPath: '/host/sys', readOnly: true },
          { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
          ...auth.mounts,
        ],
        readinessProbe: auth.probe(),
        livenessProbe: auth.probe(30),
      })],
      volumes: [
        { name: 'proc', hostPath: { path: '/proc' } },
        { name: 'sys', hostPath: { path: '/sys' } },
        { name: 'root', hostPath: { path: '/' } },
        ...auth.volumes,
      ],
    }));
  }
}

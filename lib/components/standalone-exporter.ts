import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { restrictedPodSecurity } from './pod-security';
import { PortSpec, Wiring, Workload, workloadPeer } from '../wiring/wiring';

/** Props of `StandaloneExporter`. */
export interface StandaloneExporterProps {
  /** `postgres-exporter` or `redis-exporter`: the `app.kubernetes.io/name` of the Deployment. */
  readonly name: 'postgres-exporter' | 'redis-exporter';
  /** The exporter container (from `postgresExporterContainer` / `redisExporterContainer`). */
  readonly container: k8s.Container;
  /** Volumes the container mounts (e.g. `postgresCredentialsVolume`, `redisCredentialsVolume`). @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** Annotations its pod needs (e.g. `redisExporterPodAnnotations()`). @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Its metrics port. */
  readonly port: PortSpec;
  /** Namespace of the stack. */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** Where the database runs outside the cluster's pods, for the exporter's egress policy. */
  readonly database: { readonly cidr: string; readonly port: number };
}

/**
 * An exporter as a Deployment of its own, for a database run elsewhere (a managed service, a VM).
 * Register its `workload` with `prometheus.scrape()` like a sidecar's.
 */
export class StandaloneExporter extends Construct {
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: StandaloneExporterProps) {
    super(scope, id);
    const { name, namespace, wiring } = props;
    const labels = standardLabels(name, 'exporter');
    this.workload = wiring.addWorkload({ id: name, namespace, podLabels: selectorLabels(name), owned: true, ports: [props.port] });
    wiring.allow({
      from: workloadPeer(this.workload), to: { kind: 'cidr', id: `${name}-database`, cidr: props.database.cidr },
      port: props.database.port, protocol: 'TCP', reason: 'the monitored database',
    });
    const uid = props.container.securityContext?.runAsUser ?? 65534;
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: this.workload.podLabels },
        template: {
          metadata: { labels: { ...labels, ...this.workload.podLabels }, annotations: props.podAnnotations ? { ...props.podAnnotations } : undefined },
          spec: { automountServiceAccountToken: false, securityContext: restrictedPodSecurity(uid), containers: [props.container], volumes: props.volumes ? [...props.volumes] : undefined },
        },
      },
    });
  }
}

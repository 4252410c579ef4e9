import { Construct } from 'constructs';
import { AlertmanagerConfig, IngressConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { KubeStatefulSet, namedPort, quantities } from './kube';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { antiAffinity, container, restrictedPodSecurity } from './pod-security';
import { clientCredentials, externalUrl, publishThroughIngress, SECRET_FILE_MODE, serverAuth, webAuth } from './published-service';
import { UIDS } from './identities';
import { Wiring, Workload, workloadPeer } from '../wiring/wiring';

const ALERTMANAGER_UID = UIDS.alertmanager;
const WEB_PORT = 9093;
/** Alertmanager's gossip port (`--cluster.listen-address` default 0.0.0.0:9094), TCP and UDP (memberlist). */
export const ALERTMANAGER_CLUSTER_PORT = 9094;
/** The headless Service whose DNS name resolves to every member, ready or not: the cluster's peers. */
export const ALERTMANAGER_CLUSTER_SERVICE = 'alertmanager-cluster';

/** Props of `Alertmanager`. */
export interface AlertmanagerProps {
  /** Image, config Secret, storage, receiver egress, resources. */
  readonly config: AlertmanagerConfig;
  /** Namespace of the stack. */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** The ingress controller, used when `config.exposure` publishes Alertmanager. */
  readonly ingress: IngressConfig;
}

/**
 * Alertmanager as a StatefulSet with an `alertmanager-data` volume per member (silences and the
 * notification log survive restarts); with `replicas` above 1 the members gossip as one cluster, so
 * an alert that every Prometheus replica sends to every member is notified once. Its configuration,
 * receivers and their URLs or tokens included, comes only from a Secret the operator creates, so
 * nothing sensitive is in Git or in `dist/`.
 */
export class Alertmanager extends Construct {
  /** The Alertmanager pods, as the wiring knows them. */
  readonly workload: Workload;
  /** The Service Prometheus discovers Alertmanager through. */
  readonly serviceName = 'alertmanager';
  /** Its settings (for `Alertmanager.clientAuth`). */
  readonly config: AlertmanagerConfig;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const { config, namespace, wiring } = props;
    this.config = config;
    const labels = standardLabels('alertmanager', 'alerting');
    const auth = webAuth(serverAuth(config), 'web');
    const clustered = config.replicas > 1;
    this.workload = wiring.addWorkload({
      id: 'alertmanager', namespace, podLabels: selectorLabels('alertmanager'), owned: true,
      ports: [
        { name: 'web', port: WEB_PORT },
        ...(clustered ? [
          { name: 'mesh-tcp', port: ALERTMANAGER_CLUSTER_PORT, protocol: 'TCP' as const },
          { name: 'mesh-udp', port: ALERTMANAGER_CLUSTER_PORT, protocol: 'UDP' as const },
        ] : []),
      ],
    });
    if (clustered) {
      // memberlist gossips over UDP and syncs state over TCP on the same port, between members only.
      for (const p of ['mesh-tcp', 'mesh-udp']) wiring.allowToWorkload(workloadPeer(this.workload), this.workload, p, 'Alertmanager cluster gossip');
    }
    config.receiverEgress.forEach((e, i) => wiring.allow({
      from: workloadPeer(this.workload), to: { kind: 'cidr', id: `receivers-${i}`, cidr: e.cidr }, port: e.port, protocol: 'TCP', reason: 'notification receivers',
    }));
    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace, labels },
      spec: { selector: this.workload.podLabels, ports: [{ name: 'web', port: WEB_PORT, targetPort: namedPort('web'), protocol: 'TCP' }] },
    });
    const clusterArgs = clustered ? [
      `--cluster.listen-address=0.0.0.0:${ALERTMANAGER_CLUSTER_PORT}`,
      // Pod IPs may be outside the private ranges memberlist accepts by itself: advertise explicitly.
      `--cluster.advertise-address=$(POD_IP):${ALERTMANAGER_CLUSTER_PORT}`,
      // A headless Service name resolves to every member's IP, and each becomes a peer
      // (prometheus/alertmanager v0.33.1 cluster/cluster.go resolvePeers: LookupIPAddr of the host).
      `--cluster.peer=${ALERTMANAGER_CLUSTER_SERVICE}.${namespace}.svc:${ALERTMANAGER_CLUSTER_PORT}`,
      // Packets of another Alertmanager cluster that reaches this port are dropped.
      `--cluster.label=${namespace}/alertmanager`,
    ] : ['--cluster.listen-address=']; // single replica: no gossip port to open
    if (clustered) {
      new k8s.KubeService(this, 'ClusterService', {
        metadata: { name: ALERTMANAGER_CLUSTER_SERVICE, namespace, labels },
        spec: {
          clusterIp: 'None', publishNotReadyAddresses: true, selector: this.workload.podLabels,
          ports: [
            { name: 'mesh-tcp', port: ALERTMANAGER_CLUSTER_PORT, targetPort: namedPort('mesh-tcp'), protocol: 'TCP' },
            { name: 'mesh-udp', port: ALERTMANAGER_CLUSTER_PORT, targetPort: namedPort('mesh-udp'), protocol: 'UDP' },
          ],
        },
      });
      new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name: 'alertmanager', namespace, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.workload.podLabels } },
      });
    }
    new KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: 'alertmanager', namespace, labels },
      spec: {
        replicas: config.replicas, // podManagementPolicy stays the default: it is immutable
        serviceName: this.serviceName,
        selector: { matchLabels: this.workload.podLabels },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: { ...labels, ...this.workload.podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(ALERTMANAGER_UID),
            affinity: clustered ? antiAffinity(this.workload.podLabels) : undefined,
            containers: [container({
              name: 'alertmanager', image: config.image, uid: ALERTMANAGER_UID, resources: config.resources,
              args: [
                '--config.file=/etc/alertmanager/alertmanager.yml',
                '--storage.path=/alertmanager',
                `--web.listen-address=:${WEB_PORT}`,
                `--web.external-url=${externalUrl(config, this.serviceName, namespace, WEB_PORT)}`,
                '--web.route-prefix=/',
                ...clusterArgs,
                ...auth.args,
              ],
              env: clustered ? [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] : undefined,
              ports: this.workload.ports,
              volumeMounts: [
                { name: 'config', mountPath: '/etc/alertmanager', readOnly: true },
                { name: 'alertmanager-data', mountPath: '/alertmanager' },
                ...auth.mounts,
              ],
              readinessProbe: auth.probe(),
              livenessProbe: auth.probe(),
            })],
            // No reloader: every reloader image sends its credentials in argv (facts/configmap-reload-0.15.0.json,
            // facts/prometheus-config-reloader-0.93.0.json, basicAuth). After changing the config Secret,
            // `kubectl rollout restart statefulset/alertmanager` (silences and the notification log are on the volume).
            volumes: [
              // Every key of the config Secret: alertmanager.yml and the files it names (url_file, password_file).
              { name: 'config', secret: { secretName: config.configSecret, defaultMode: SECRET_FILE_MODE } },
              ...auth.volumes,
            ],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'alertmanager-data', labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: quantities({ storage: config.storage }) } },
        }],
      },
    });
    if (config.exposure) {
      publishThroughIngress(this, 'Ingress', {
        name: this.serviceName, namespace, labels, host: config.exposure.host, tlsSecret: config.exposure.tlsSecret,
        portName: 'web', workload: this.workload, ingress: props.ingress, wiring,
      });
    }
  }

  /** The credentials every client (Prometheus) needs: Alertmanager asks every client for basic auth. */
  static clientAuth(config: AlertmanagerConfig): { username: string; passwordSecret: string } {
    return clientCredentials(serverAuth(config));
  }
}

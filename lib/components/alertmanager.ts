import { Construct } from 'constructs';
import { AlertmanagerConfig, IngressConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { KubeStatefulSet, namedPort, quantities } from './kube';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { container, restrictedPodSecurity } from './pod-security';
import { clientCredentials, publishThroughIngress, SECRET_FILE_MODE, serverAuth, webAuth } from './published-service';
import { UIDS } from './identities';
import { Wiring, Workload, workloadPeer } from '../wiring/wiring';

const ALERTMANAGER_UID = UIDS.alertmanager;
const WEB_PORT = 9093;

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
 * Alertmanager as a one-replica StatefulSet with an `alertmanager-data` volume (silences and the
 * notification log survive restarts). Its configuration, receivers and their URLs or tokens included,
 * comes only from a Secret the operator creates, so nothing sensitive is in Git or in `dist/`.
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
    this.workload = wiring.addWorkload({
      id: 'alertmanager', namespace, podLabels: selectorLabels('alertmanager'), owned: true,
      ports: [{ name: 'web', port: WEB_PORT }],
    });
    config.receiverEgress.forEach((e, i) => wiring.allow({
      from: workloadPeer(this.workload), to: { kind: 'cidr', id: `receivers-${i}`, cidr: e.cidr }, port: e.port, protocol: 'TCP', reason: 'notification receivers',
    }));
    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace, labels },
      spec: { selector: this.workload.podLabels, ports: [{ name: 'web', port: WEB_PORT, targetPort: namedPort('web'), protocol: 'TCP' }] },
    });
    new KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: 'alertmanager', namespace, labels },
      spec: {
        replicas: 1,
        serviceName: this.serviceName,
        selector: { matchLabels: this.workload.podLabels },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: { ...labels, ...this.workload.podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(ALERTMANAGER_UID),
            containers: [container({
              name: 'alertmanager', image: config.image, uid: ALERTMANAGER_UID, resources: config.resources,
              args: [
                '--config.file=/etc/alertmanager/alertmanager.yml',
                '--storage.path=/alertmanager',
                `--web.listen-address=:${WEB_PORT}`,
                '--cluster.listen-address=', // single replica: no gossip port to open
                ...auth.args,
              ],
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

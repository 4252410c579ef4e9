import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { toYaml } from '../output/yaml-output';
import { GrafanaConfig, IngressConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { namedPort, quantities } from './kube';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { container, httpProbe, restrictedPodSecurity } from './pod-security';
import { passwordVolume, publishThroughIngress, SECRET_FILE_MODE } from './published-service';
import { UIDS } from './identities';
import { Wiring, Workload, workloadPeer } from '../wiring/wiring';

/** The init container's script: set the admin's password from the Secret, never fail the pod. */
export const SYNC_ADMIN_PASSWORD_SCRIPT = 'grafana cli --homepath /usr/share/grafana admin reset-admin-password --password-from-stdin < "$GF_SECURITY_ADMIN_PASSWORD__FILE"'
  + ' || echo "sync-admin-password: the admin password was not set from the Secret (a new database has no admin yet: Grafana creates it from the Secret); starting Grafana anyway" >&2';

/** The headless Service that names every Grafana pod, ready or not. */
export const GRAFANA_PODS_SERVICE = 'grafana-pods';

/** The uid of the `grafana` user in the official image. */
const GRAFANA_UID = UIDS.grafana;
/** Where Grafana's credentials files are mounted (one folder per Secret). */
const SECRETS_DIR = '/etc/grafana/secrets';
const HTTP_PORT = 3000;
/** Fixed datasource uid, so dashboards and links keep working across re-provisioning. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus';
const DASHBOARDS_DIR = '/var/lib/grafana-dashboards';

/** A dashboard to provision: file name (without `.json`) and its JSON text. */
export interface DashboardContent {
  /** File name without `.json`; also names the dashboard's ConfigMap. */
  readonly name: string;
  /** The dashboard's JSON text. */
  readonly json: string;
}

/** Props of `Grafana`. */
export interface GrafanaProps {
  /** Image, admin Secret, storage, ingress, resources. */
  readonly config: GrafanaConfig;
  /** Namespace of the stack. */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /**
   * The Prometheus pods, the Service and port to query them through, and the basic-auth user and
   * Secret (key `password`) Prometheus asks every client for (`Prometheus.clientAuth`).
   */
  readonly prometheus: {
    readonly workload: Workload; readonly serviceName: string; readonly portName: string;
    readonly basicAuth: { readonly username: string; readonly passwordSecret: string };
  };
  /** The ingress controller that publishes Grafana when `config.ingressHost` is set. */
  readonly ingress: IngressConfig;
  /** Scrape interval, so that `$__rate_interval` is never shorter than four scrapes. */
  readonly scrapeInterval: string;
  /** Dashboards, one ConfigMap each. @default none */
  readonly dashboards?: readonly DashboardContent[];
}

/**
 * Grafana as a one-replica `Recreate` Deployment (SQLite on the `grafana-data` volume allows one
 * writer), admin credentials only from a Secret, anonymous access and sign-up off, a provisioned
 * Prometheus datasource with a fixed uid, and one ConfigMap per dashboard. A hash of everything
 * provisioned is a pod annotation, so any change rolls the pod and is picked up.
 */
export class Grafana extends Construct {
  /** The Grafana pods, as the wiring knows them. */
  readonly workload: Workload;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const { config, namespace, wiring } = props;
    const labels = standardLabels('grafana', 'dashboards');
    this.workload = wiring.addWorkload({
      id: 'grafana', namespace, podLabels: selectorLabels('grafana'), owned: true,
      ports: [{ name: 'http', port: HTTP_PORT }],
    });
    wiring.allowToWorkload(workloadPeer(this.workload), props.prometheus.workload, props.prometheus.portName, 'datasource queries');

    const promPort = wiring.port(props.prometheus.workload, props.prometheus.portName).port;
    const datasources = toYaml({
      apiVersion: 1,
      datasources: [{
        name: 'Prometheus', type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID, access: 'proxy', isDefault: true, editable: false,
        url: `http://${props.prometheus.serviceName}.${props.prometheus.workload.namespace}.svc:${promPort}`,
        jsonData: { timeInterval: props.scrapeInterval, httpMethod: 'POST' },
        // Grafana expands $__file{path} in provisioning files: the password is read from the mounted
        // Secret file, never from the environment (Grafana docs, administration/provisioning, "Using
        // environment variables": $__env{}, $__file{}, $__vault{}).
        basicAuth: true, basicAuthUser: props.prometheus.basicAuth.username,
        secureJsonData: { basicAuthPassword: `$__file{${SECRETS_DIR}/prometheus/password}` },
      }],
    });
    const provider = toYaml({
      apiVersion: 1,
      providers: [{
        name: 'nanoe', type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 30,
        options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: false },
      }],
    });
    new k8s.KubeConfigMap(this, 'Provisioning', {
      metadata: { name: 'grafana-provisioning', namespace, labels },
      data: { 'datasources.yaml': datasources, 'dashboards.yaml': provider },
    });
    const dashboards = [...(props.dashboards ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    for (const d of dashboards) {
      new k8s.KubeConfigMap(this, `Dashboard-${d.name}`, {
        metadata: { name: `grafana-dashboard-${d.name}`, namespace, labels },
        data: { [`${d.name}.json`]: d.json },
      });
    }
    const hash = createHash('sha256').update(datasources).update(provider);
    for (const d of dashboards) hash.update(d.name).update(d.json);

    new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: 'grafana-data', namespace, labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: config.storageClass ?? undefined,
        resources: { requests: quantities({ storage: config.storage }) },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: 'grafana', namespace, labels },
      spec: { selector: this.workload.podLabels, ports: [{ name: 'http', port: HTTP_PORT, targetPort: namedPort('http'), protocol: 'TCP' }] },
    });
    // Every Grafana pod by name, ready or not: the restore goes ahead only when this name is gone
    // (a starting Grafana migrates grafana.db before it is Ready, and the ClusterIP hides it then).
    new k8s.KubeService(this, 'Pods', {
      metadata: { name: GRAFANA_PODS_SERVICE, namespace, labels },
      spec: {
        clusterIp: 'None', publishNotReadyAddresses: true, selector: this.workload.podLabels,
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: namedPort('http'), protocol: 'TCP' }],
      },
    });
    // Credentials only as files (`<setting>__FILE`, Grafana's configure-grafana docs, "Variable
    // expansion"/env vars with __FILE), so nothing secret is in the process environment.
    const env: k8s.EnvVar[] = [
      ...Object.entries({
        GF_SECURITY_ADMIN_USER__FILE: `${SECRETS_DIR}/admin-credentials/admin-user`,
        GF_SECURITY_ADMIN_PASSWORD__FILE: `${SECRETS_DIR}/admin-credentials/admin-password`,
        // Encrypts the data-source and contact-point secrets in grafana.db (and its backups); without
        // it Grafana uses its public default key.
        GF_SECURITY_SECRET_KEY__FILE: `${SECRETS_DIR}/secret-key/secret-key`,
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_SECURITY_DISABLE_GRAVATAR: 'true',
        GF_SECURITY_COOKIE_SECURE: config.ingressHost ? 'true' : 'false',
        GF_SNAPSHOTS_EXTERNAL_ENABLED: 'false', // no dashboard data leaves for snapshots.raintank.io
        GF_PUBLIC_DASHBOARDS_ENABLED: 'false', // no dashboard is ever readable without a login
        GF_METRICS_ENABLED: 'false', // /metrics would be public through the Ingress
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false', // no egress to the internet is allowed anyway
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
        GF_NEWS_NEWS_FEED_ENABLED: 'false',
        GF_LOG_MODE: 'console', // the root filesystem is read-only
        GF_PATHS_DATA: '/var/lib/grafana',
        GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
        GF_SERVER_HTTP_PORT: String(HTTP_PORT),
        ...(config.ingressHost ? { GF_SERVER_ROOT_URL: `https://${config.ingressHost}/` } : {}),
      }).map(([name, value]) => ({ name, value })),
    ];
    const secretMounts: k8s.VolumeMount[] = [
      { name: 'admin', mountPath: `${SECRETS_DIR}/admin-credentials`, readOnly: true },
      { name: 'secret-key', mountPath: `${SECRETS_DIR}/secret-key`, readOnly: true },
      { name: 'prometheus-password', mountPath: `${SECRETS_DIR}/prometheus`, readOnly: true },
    ];
    const dataMounts: k8s.VolumeMount[] = [
      { name: 'grafana-data', mountPath: '/var/lib/grafana' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    // GF_SECURITY_ADMIN_PASSWORD applies only when grafana.db has no admin yet; this sets the admin's
    // password from the Secret on every start, so rotating the Secret (and restarting) takes effect.
    // `grafana cli admin reset-admin-password --password-from-stdin` (Grafana docs, cli "Reset admin
    // password") updates user id 1, which exists only once Grafana has started once: on a new
    // database it fails, and Grafana then creates the admin from the same Secret. A failure never
    // keeps Grafana from starting (an init container that exits non-zero would, forever): it is
    // logged, and the Secret's password applies on the next start.
    const syncAdminPassword: k8s.Container = {
      ...container({
        name: 'sync-admin-password', image: config.image, uid: GRAFANA_UID,
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        env, volumeMounts: [...dataMounts, ...secretMounts],
      }),
      command: ['sh', '-c', SYNC_ADMIN_PASSWORD_SCRIPT],
    };
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: 'grafana', namespace, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' }, // SQLite on a ReadWriteOnce volume: never two pods at once
        selector: { matchLabels: this.workload.podLabels },
        template: {
          metadata: {
            labels: { ...labels, ...this.workload.podLabels },
            annotations: { 'nanoe-monitoring/provisioning-sha256': hash.digest('hex') },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(GRAFANA_UID),
            initContainers: [syncAdminPassword],
            containers: [container({
              name: 'grafana', image: config.image, uid: GRAFANA_UID, resources: config.resources, env,
              ports: this.workload.ports,
              volumeMounts: [
                ...dataMounts,
                ...secretMounts,
                { name: 'provisioning', mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml', subPath: 'datasources.yaml', readOnly: true },
                { name: 'provisioning', mountPath: '/etc/grafana/provisioning/dashboards/dashboards.yaml', subPath: 'dashboards.yaml', readOnly: true },
                { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
              ],
              readinessProbe: httpProbe('/api/health', 'http'),
              livenessProbe: httpProbe('/api/health', 'http', 30, 5),
            })],
            volumes: [
              { name: 'grafana-data', persistentVolumeClaim: { claimName: 'grafana-data' } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('64Mi') } },
              { name: 'provisioning', configMap: { name: 'grafana-provisioning' } },
              { name: 'admin', secret: { secretName: config.adminSecret, items: [{ key: 'admin-user', path: 'admin-user' }, { key: 'admin-password', path: 'admin-password' }], defaultMode: SECRET_FILE_MODE } },
              { name: 'secret-key', secret: { secretName: config.secretKeySecret, items: [{ key: 'secret-key', path: 'secret-key' }], defaultMode: SECRET_FILE_MODE } },
              passwordVolume('prometheus-password', props.prometheus.basicAuth.passwordSecret),
              { name: 'dashboards', projected: { sources: dashboards.map((d): k8s.VolumeProjection => ({ configMap: { name: `grafana-dashboard-${d.name}` } })) } },
            ],
          },
        },
      },
    });
    if (config.ingressHost) {
      publishThroughIngress(this, 'Ingress', {
        name: 'grafana', namespace, labels, host: config.ingressHost, tlsSecret: config.ingressTlsSecret,
        portName: 'http', workload: this.workload, ingress: props.ingress, wiring,
      });
    }
  }
}

import * as k8s from '../../imports/k8s';
import { BackupComponent, BackupImages, S3BackupConfig } from '../config/backup';
import { BACKUP_SCRIPTS_CONFIGMAP, S3_SCRIPT_KEY } from '../content/backup-scripts';
import { selectorLabels } from '../wiring/labels';
import { scrapeServiceName } from '../wiring/scrape-target';
import { container, restrictedPodSecurity } from './pod-security';
import { UIDS } from './identities';
import { passwordVolume, SECRET_FILE_MODE } from './published-service';

// The pieces every backup and restore pod is made of; `Backups` and `restoreJob` put them together.

/** What differs between the two components' jobs. */
export interface ComponentSpec {
  /** The uid that owns the data volume (the component's own user and fsGroup). */
  readonly uid: number;
  /** Where the data volume is mounted, the same path as in the component's own pod. */
  readonly dataMount: string;
  /** The data volume's claim. */
  readonly dataClaim: (replica: number) => string;
  /** The image that runs the component's backup and restore script. */
  readonly image: (images: BackupImages) => string;
}

export const COMPONENTS: Record<BackupComponent, ComponentSpec> = {
  prometheus: {
    uid: UIDS.prometheus,
    dataMount: '/prometheus',
    // volumeClaimTemplate `prometheus-data` of StatefulSet `prometheus`: <template>-<set>-<ordinal>.
    dataClaim: (replica) => `prometheus-data-prometheus-${replica}`,
    image: (i) => i.curl,
  },
  grafana: {
    uid: UIDS.grafana,
    dataMount: '/var/lib/grafana',
    dataClaim: () => 'grafana-data',
    image: (i) => i.python,
  },
};

/** Mount path of the backup volume in every job. */
export const BACKUP_MOUNT = '/backups';
export const GRAFANA_DB_PATH = '/var/lib/grafana/grafana.db';
export const PROMETHEUS_WEB_PORT = 9090;
export const GRAFANA_HTTP_PORT = 3000;

/** The backup volume of a component. One per component: see `Backups`. */
export const backupClaimName = (component: BackupComponent): string => `monitoring-backups-${component}`;
/** The pod labels of a component's backup and restore jobs (what NetworkPolicies select). */
export const backupPodLabels = (component: BackupComponent): Record<string, string> => selectorLabels(`${component}-backup`);
/** Stable DNS name of one Prometheus replica, through the StatefulSet's governing headless Service. */
export const prometheusPodUrl = (namespace: string, replica = 0, port = PROMETHEUS_WEB_PORT): string =>
  `http://prometheus-${replica}.${scrapeServiceName('prometheus')}.${namespace}.svc:${port}`;

const JOB_RESOURCES = {
  script: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
  awsCli: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
};

const env = (vars: Record<string, string>): k8s.EnvVar[] => Object.entries(vars).map(([name, value]) => ({ name, value }));

/** The container that runs one of the `backup/` scripts, with the data, backup, scripts and tmp volumes. */
export function scriptContainer(
  name: string, component: BackupComponent, script: string, images: BackupImages, vars: Record<string, string>, backupsReadOnly: boolean,
): k8s.Container {
  const spec = COMPONENTS[component];
  return {
    ...container({
      name, image: spec.image(images), uid: spec.uid, resources: JOB_RESOURCES.script,
      env: env({ ...vars, TMPDIR: '/tmp' }),
      volumeMounts: [
        // Read-write: the Prometheus job deletes its snapshot, and SQLite needs its -shm/-journal files.
        { name: 'data', mountPath: spec.dataMount },
        { name: 'backups', mountPath: BACKUP_MOUNT, readOnly: backupsReadOnly || undefined },
        { name: 'scripts', mountPath: '/scripts', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    }),
    command: ['/bin/sh', `/scripts/${script}`],
  };
}

/** Where the S3 uploader finds the bucket's credentials file (the Secret's key `credentials`). */
const S3_CREDENTIALS_DIR = '/etc/aws';
/** Name of the volume `s3Container` mounts; `backupJobSpec` adds it (`s3CredentialsSecret`) to the pod. */
export const S3_CREDENTIALS_VOLUME = 's3-credentials';

/**
 * The container that runs `s3.sh`. The bucket's keys reach the AWS CLI as a shared credentials file
 * (`AWS_SHARED_CREDENTIALS_FILE`, aws-cli `awscli/botocore/configprovider.py`; profile `default`,
 * keys `aws_access_key_id` / `aws_secret_access_key`, `credentials.py` SharedCredentialProvider):
 * the Secret's key `credentials`, mounted read-only with mode 0440 in this container only — never
 * in the environment, where `/proc/<pid>/environ` of the same uid would show them.
 */
export function s3Container(
  name: string, component: BackupComponent, s3: S3BackupConfig, images: BackupImages, vars: Record<string, string>,
): k8s.Container {
  return {
    ...container({
      // Its own uid, and the only container that mounts the credentials.
      name, image: images.awsCli, uid: UIDS.backupS3, resources: JOB_RESOURCES.awsCli,
      env: [
        ...env({
          AWS_SHARED_CREDENTIALS_FILE: `${S3_CREDENTIALS_DIR}/credentials`,
          ...vars,
          COMPONENT: component,
          BACKUP_DIR: BACKUP_MOUNT,
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: s3.bucket,
          AWS_DEFAULT_REGION: s3.region,
          AWS_EC2_METADATA_DISABLED: 'true', // no instance-metadata lookups; the Secret is the only source
          HOME: '/tmp', // the CLI writes its cache under $HOME; the root filesystem is read-only
          TMPDIR: '/tmp',
        }),
      ],
      volumeMounts: [
        { name: 'backups', mountPath: BACKUP_MOUNT },
        { name: 'scripts', mountPath: '/scripts', readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
        { name: S3_CREDENTIALS_VOLUME, mountPath: S3_CREDENTIALS_DIR, readOnly: true },
      ],
    }),
    command: ['/bin/sh', `/scripts/${S3_SCRIPT_KEY}`],
  };
}

/** The volumes every backup and restore pod has. */
function jobVolumes(component: BackupComponent, replica = 0): k8s.Volume[] {
  return [
    { name: 'data', persistentVolumeClaim: { claimName: COMPONENTS[component].dataClaim(replica) } },
    { name: 'backups', persistentVolumeClaim: { claimName: backupClaimName(component) } },
    { name: 'scripts', configMap: { name: BACKUP_SCRIPTS_CONFIGMAP, defaultMode: 0o555 } },
    { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
  ];
}

/**
 * The spec of a backup or restore Job: one try, a deadline, and a pod with the backup pods' labels
 * (so the same NetworkPolicy paths apply), no service account token, the restricted security
 * context of the component's user, and the data, backup, scripts and tmp volumes.
 */
export function backupJobSpec(component: BackupComponent, labels: Record<string, string>, deadlineSeconds: number,
  pod: { initContainers?: k8s.Container[]; containers: k8s.Container[]; affinity?: k8s.Affinity; passwordSecret?: string; s3CredentialsSecret?: string }, replica = 0): k8s.JobSpec {
  return {
    backoffLimit: 1,
    activeDeadlineSeconds: deadlineSeconds,
    template: {
      metadata: { labels: { ...labels, ...backupPodLabels(component) } },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurity(COMPONENTS[component].uid),
        affinity: pod.affinity,
        initContainers: pod.initContainers?.length ? pod.initContainers : undefined,
        containers: pod.containers,
        volumes: [
          ...jobVolumes(component, replica),
          ...(pod.passwordSecret ? [passwordVolume(PROMETHEUS_PASSWORD_VOLUME, pod.passwordSecret)] : []),
          ...(pod.s3CredentialsSecret ? [s3CredentialsVolume(pod.s3CredentialsSecret)] : []),
        ],
      },
    },
  };
}

/** The bucket's credentials file: only the Secret's key `credentials`, mode 0440. */
function s3CredentialsVolume(secret: string): k8s.Volume {
  return { name: S3_CREDENTIALS_VOLUME, secret: { secretName: secret, items: [{ key: 'credentials', path: 'credentials' }], defaultMode: SECRET_FILE_MODE } };
}

/** Adds PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (from the Secret's key `password`) when Prometheus asks for basic auth. */
export function withBasicAuth(c: k8s.Container, auth: { username: string; passwordSecret: string } | undefined): k8s.Container {
  if (!auth) return c;
  return {
    ...c,
    // The password as a file (only the Secret's `password` key, mode 0440), never in the environment.
    env: [
      ...(c.env ?? []),
      { name: 'PROMETHEUS_USERNAME', value: auth.username },
      { name: 'PROMETHEUS_PASSWORD_FILE', value: `${PROMETHEUS_PASSWORD_DIR}/password` },
    ],
    volumeMounts: [...(c.volumeMounts ?? []), { name: PROMETHEUS_PASSWORD_VOLUME, mountPath: PROMETHEUS_PASSWORD_DIR, readOnly: true }],
  };
}

const PROMETHEUS_PASSWORD_DIR = '/etc/prometheus-password';
/** Name of the volume `withBasicAuth` mounts; `backupJobSpec` adds it (`passwordSecret`) to the pod. */
export const PROMETHEUS_PASSWORD_VOLUME = 'prometheus-password';

/** Where a workload's pods run, as a podAffinity term on the node. */
export function sameNodeAs(podLabels: Record<string, string>): k8s.Affinity {
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } }],
    },
  };
}

/** Port of an https or http URL (443 or 80 unless written). */
export function endpointPort(endpoint: string): number {
  const u = new URL(endpoint);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

import { readFileSync } from 'fs';
import { basename, join, resolve } from 'path';
import { Construct } from 'constructs';
import { bool, checkValue, cidr, dnsName, image, intBetween, nullable, quantity, secretName, Shape, text, url } from '../config/checks';
import { ConfigError } from '../config/errors';
import * as k8s from '../../imports/k8s';
import { quantities } from './kube';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { container, restrictedPodSecurity } from './pod-security';
import { scrapeServiceName } from '../wiring/scrape-target';
import { Peer, Wiring, Workload, workloadPeer } from '../wiring/wiring';

/** An S3-compatible bucket that receives a copy of every backup (off the cluster's storage). */
export interface S3BackupConfig {
  /** https URL of the S3 API, e.g. `https://s3.eu-central-1.amazonaws.com` or `https://minio.example.com:9000`. */
  readonly endpoint: string;
  /** Bucket name; backups go to `<bucket>/prometheus/<name>/` and `<bucket>/grafana/<name>/`. */
  readonly bucket: string;
  /** Region for request signing (any value for most S3-compatible stores). @default 'us-east-1' */
  readonly region: string;
  /** Secret (created by the operator) with keys `access-key-id` and `secret-access-key`. */
  readonly credentialsSecret: string;
  /** CIDR the endpoint's addresses are in; the backup pods may open connections there on the endpoint's port. */
  readonly egressCidr: string;
}

/** Pinned images of the backup and restore jobs. */
export interface BackupImages {
  /** Has sh and curl (Prometheus snapshot API). @default 'docker.io/curlimages/curl:8.10.1' */
  readonly curl: string;
  /** Has sh and sqlite3 (SQLite online backup). @default 'docker.io/keinos/sqlite3:3.46.1' */
  readonly sqlite: string;
  /** Has sh and the AWS CLI (S3 upload and download); used only when `s3` is set. @default 'docker.io/amazon/aws-cli:2.17.50' */
  readonly awsCli: string;
}

/** Backups of the Prometheus TSDB and of Grafana's database. */
export interface BackupConfig {
  /** Render the backup CronJobs, volumes and scripts. @default true */
  readonly enabled: boolean;
  /** Cron schedule of both backup jobs, in UTC. @default '15 2 * * *' */
  readonly schedule: string;
  /** Backups kept per component (on the volume, and in the bucket when `s3` is set); the oldest go first. @default 3 */
  readonly keep: number;
  /**
   * Size of each backup volume. Prometheus needs (keep + 1) × the TSDB size (`prometheus.retentionSize`):
   * a new backup is complete before the oldest is deleted. Grafana's database is small.
   * @default { prometheus: '80Gi', grafana: '2Gi' }
   */
  readonly storage: { readonly prometheus: string; readonly grafana: string };
  /** StorageClass of the backup volumes; null uses the cluster default. @default null */
  readonly storageClass: string | null;
  /** A bucket that receives a copy of every backup; null keeps backups on the volumes only. @default null */
  readonly s3: S3BackupConfig | null;
  /** Pinned images. */
  readonly images: BackupImages;
}

/** The images used by default (put them in `config/environments.yaml`). */
export const DEFAULT_BACKUP_IMAGES: BackupImages = {
  curl: 'docker.io/curlimages/curl:8.10.1',
  sqlite: 'docker.io/keinos/sqlite3:3.46.1',
  awsCli: 'docker.io/amazon/aws-cli:2.17.50',
};

const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** A CronJob schedule: five fields (minute hour day-of-month month day-of-week) or a macro such as `@daily`. */
export const cronSchedule = (field: string, value: unknown): void => {
  const fix = 'write five fields such as "15 2 * * *" (02:15 UTC daily), or @daily; the time zone is UTC';
  if (typeof value !== 'string') throw new ConfigError(field, value, 'is not a cron schedule', fix);
  const v = value.trim();
  if (CRON_MACROS.has(v)) return;
  if (/^(CRON_)?TZ=/.test(v)) throw new ConfigError(field, value, 'sets a time zone, which Kubernetes refuses in the schedule', fix);
  const parts = v.split(/\s+/);
  if (parts.length !== 5) throw new ConfigError(field, value, `has ${parts.length} fields, not 5`, fix);
  parts.forEach((part, i) => {
    const spec = CRON_FIELDS[i];
    const num = (s: string): number => {
      const byName = spec.names?.indexOf(s.toLowerCase()) ?? -1;
      const n = byName >= 0 ? byName + (spec.name === 'month' ? 1 : 0) : /^\d+$/.test(s) ? Number(s) : NaN;
      if (!(n >= spec.min && n <= spec.max)) {
        throw new ConfigError(field, value, `has "${s}" as ${spec.name}, outside ${spec.min}-${spec.max}`, fix);
      }
      return n;
    };
    for (const item of part.split(',')) {
      const m = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new ConfigError(field, value, `has "${item}" as ${spec.name}, which is not cron syntax`, fix);
      if (m[2] !== undefined && !(Number(m[2]) >= 1)) throw new ConfigError(field, value, `has step "/${m[2]}" as ${spec.name}`, fix);
      if (m[1] === '*' || m[1] === '?') continue;
      const [lo, hi] = m[1].split('-');
      if (hi !== undefined && num(lo) > num(hi)) throw new ConfigError(field, value, `has the empty range "${m[1]}" as ${spec.name}`, fix);
      num(lo);
    }
  });
};

/** An S3 bucket name (3-63 lower-case letters, digits, "-" and "."). */
const bucketName = (field: string, value: unknown): void => {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) {
    throw new ConfigError(field, value, 'is not an S3 bucket name', 'use 3 to 63 lower-case letters, digits, "-" and "."');
  }
};

/** The shape of `backup:` in `config/environments.yaml`; mirrors `BackupConfig`. */
export const BACKUP_SHAPE: Shape = {
  enabled: bool,
  schedule: cronSchedule,
  keep: intBetween(1, 100, 'keep at least 1 backup; each Prometheus backup is a full copy of the TSDB'),
  storage: { prometheus: quantity, grafana: quantity },
  storageClass: nullable(dnsName),
  s3: nullable({ endpoint: url(true), bucket: bucketName, region: text, credentialsSecret: secretName, egressCidr: cidr }),
  images: { curl: image, sqlite: image, awsCli: image },
};

/** Throws a ConfigError naming the field when `config` does not have the shape of `BackupConfig`. */
export function checkBackupConfig(config: BackupConfig, field = 'backup'): void {
  checkValue(field, config, BACKUP_SHAPE);
}

/** The two components that are backed up. */
export type BackupComponent = 'prometheus' | 'grafana';

/** Where the backup scripts are: `<project>/backup/`, both from `lib/components/` and from the bundle in `build/`. */
export const BACKUP_SCRIPTS_DIR = resolve(__dirname, basename(__dirname) === 'build' ? '..' : '../..', 'backup');
/** The ConfigMap that holds the scripts; the backup CronJobs and the restore Jobs mount it at `/scripts`. */
export const BACKUP_SCRIPTS_CONFIGMAP = 'monitoring-backup-scripts';
/** The files of `backup/` that the ConfigMap carries, byte for byte. */
export const BACKUP_SCRIPT_FILES = ['common.sh', 'prometheus-backup.sh', 'prometheus-restore.sh', 'grafana-backup.sh', 'grafana-restore.sh'] as const;
export const S3_SCRIPT_KEY = 's3.sh';

/**
 * The S3 half (AWS CLI image). `S3_ACTION=upload` sends the newest complete local backup of
 * COMPONENT, BACKUP-INFO last (it marks the remote copy complete), then deletes the oldest remote
 * backups until KEEP remain; the bucket keeps its own window, so an emptied volume never empties the
 * bucket. `S3_ACTION=download` fetches BACKUP_NAME into the backup volume for a restore.
 */
export const S3_SCRIPT = `#!/bin/sh
# s3.sh: copies backups to and from an S3-compatible bucket with the AWS CLI (POSIX sh).
#   S3_ACTION=upload    upload the newest complete backup of COMPONENT, BACKUP-INFO last, then
#                       delete the oldest backups in the bucket until KEEP remain
#   S3_ACTION=download  download BACKUP_NAME of COMPONENT into BACKUP_DIR/COMPONENT/
# Environment: S3_ENDPOINT, S3_BUCKET, COMPONENT, BACKUP_DIR (default /backups), KEEP (default 7),
# BACKUP_NAME (download); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION for the CLI.
set -eu
export LC_ALL=C
umask 027
log() { printf '%s s3: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
: "\${S3_ACTION:?set S3_ACTION to upload or download}"
: "\${S3_ENDPOINT:?set S3_ENDPOINT}"
: "\${S3_BUCKET:?set S3_BUCKET}"
: "\${COMPONENT:?set COMPONENT to prometheus or grafana}"
BACKUP_DIR=\${BACKUP_DIR:-/backups}
KEEP=\${KEEP:-7}
case $KEEP in '' | *[!0-9]*) die "KEEP must be a whole number >= 1, got '$KEEP'" ;; esac
[ "$KEEP" -ge 1 ] || die "KEEP must be >= 1"
s3() { aws --endpoint-url "$S3_ENDPOINT" s3 "$@"; }
is_backup_name() {
  case $1 in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) return 0 ;;
    *) return 1 ;;
  esac
}
local_root=$BACKUP_DIR/$COMPONENT
remote_root=s3://$S3_BUCKET/$COMPONENT
case $S3_ACTION in
  upload)
    latest=
    for d in "$local_root"/*; do
      if is_backup_name "\${d##*/}" && [ -f "$d/BACKUP-INFO" ]; then latest=\${d##*/}; fi
    done
    [ -n "$latest" ] || die "no complete backup in $local_root"
    log "uploading $local_root/$latest to $remote_root/$latest/"
    s3 cp --recursive --only-show-errors --exclude BACKUP-INFO "$local_root/$latest/" "$remote_root/$latest/"
    s3 cp --only-show-errors "$local_root/$latest/BACKUP-INFO" "$remote_root/$latest/BACKUP-INFO"
    listing=$(s3 ls "$remote_root/") || die "could not list $remote_root/"
    names=$(printf '%s\\n' "$listing" | awk '$1 == "PRE" { sub(/\\/$/, "", $2); print $2 }' | sort)
    count=0
    for n in $names; do
      if is_backup_name "$n"; then count=$((count + 1)); fi
    done
    excess=$((count - KEEP))
    for n in $names; do
      [ "$excess" -gt 0 ] || break
      if is_backup_name "$n"; then
        s3 rm --recursive --only-show-errors "$remote_root/$n/"
        log "pruned $remote_root/$n/ (keeping the last $KEEP)"
        excess=$((excess - 1))
      fi
    done
    log "done: $latest uploaded"
    ;;
  download)
    : "\${BACKUP_NAME:?set BACKUP_NAME}"
    is_backup_name "$BACKUP_NAME" || die "BACKUP_NAME '$BACKUP_NAME' is not a backup name (YYYYmmddTHHMMSSZ)"
    dest=$local_root/$BACKUP_NAME
    if [ -f "$dest/BACKUP-INFO" ]; then
      log "$dest is on the backup volume already; not downloading"
      exit 0
    fi
    mkdir -p "$local_root"
    rm -rf "$dest.partial"
    log "downloading $remote_root/$BACKUP_NAME/ to $dest"
    s3 cp --recursive --only-show-errors "$remote_root/$BACKUP_NAME/" "$dest.partial/"
    [ -f "$dest.partial/BACKUP-INFO" ] || die "$remote_root/$BACKUP_NAME/ is missing or incomplete (no BACKUP-INFO)"
    rm -rf "$dest"
    mv "$dest.partial" "$dest"
    log "done: $BACKUP_NAME downloaded"
    ;;
  *) die "S3_ACTION must be upload or download, got '$S3_ACTION'" ;;
esac
`;

/** Reads one script of `backup/`, exactly as the test runs it. */
export function readBackupScript(name: string, dir = BACKUP_SCRIPTS_DIR): string {
  return readFileSync(join(dir, name), 'utf8');
}

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
    uid: 65534,
    dataMount: '/prometheus',
    // volumeClaimTemplate `prometheus-data` of StatefulSet `prometheus`: <template>-<set>-<ordinal>.
    dataClaim: (replica) => `prometheus-data-prometheus-${replica}`,
    image: (i) => i.curl,
  },
  grafana: {
    uid: 472,
    dataMount: '/var/lib/grafana',
    dataClaim: () => 'grafana-data',
    image: (i) => i.sqlite,
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

/** The container that runs `s3.sh` with the bucket's credentials from the Secret. */
export function s3Container(
  name: string, component: BackupComponent, s3: S3BackupConfig, images: BackupImages, vars: Record<string, string>,
): k8s.Container {
  const secret = (n: string, key: string): k8s.EnvVar => ({ name: n, valueFrom: { secretKeyRef: { name: s3.credentialsSecret, key } } });
  return {
    ...container({
      name, image: images.awsCli, uid: COMPONENTS[component].uid, resources: JOB_RESOURCES.awsCli,
      env: [
        secret('AWS_ACCESS_KEY_ID', 'access-key-id'),
        secret('AWS_SECRET_ACCESS_KEY', 'secret-access-key'),
        ...env({
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
  pod: { initContainers?: k8s.Container[]; containers: k8s.Container[]; affinity?: k8s.Affinity }, replica = 0): k8s.JobSpec {
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
        volumes: jobVolumes(component, replica),
      },
    },
  };
}

/** Adds PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (from the Secret's key `password`) when Prometheus asks for basic auth. */
function withBasicAuth(c: k8s.Container, auth: { username: string; passwordSecret: string } | undefined): k8s.Container {
  if (!auth) return c;
  return {
    ...c,
    env: [
      ...(c.env ?? []),
      { name: 'PROMETHEUS_USERNAME', value: auth.username },
      { name: 'PROMETHEUS_PASSWORD', valueFrom: { secretKeyRef: { name: auth.passwordSecret, key: 'password' } } },
    ],
  };
}

/** Where a workload's pods run, as a podAffinity term on the node. */
function sameNodeAs(podLabels: Record<string, string>): k8s.Affinity {
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

/** Props of `Backups`. */
export interface BackupsProps {
  /** Namespace of the stack (where Prometheus and Grafana run). */
  readonly namespace: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** Schedule, retention, volumes, bucket, images. */
  readonly config: BackupConfig;
  /**
   * The Prometheus pods, the name of their web port (the snapshot API), and the basic auth its web
   * config asks for when it is exposed (`prometheus.exposure`: username, Secret with key `password`).
   */
  readonly prometheus: {
    readonly workload: Workload;
    readonly portName: string;
    readonly basicAuth?: { readonly username: string; readonly passwordSecret: string };
  };
  /** The Grafana pods and the name of their HTTP port (the restore's "is it still running?" check). */
  readonly grafana: { readonly workload: Workload; readonly portName: string };
  /** Folder with the scripts. @default `<project>/backup` */
  readonly scriptsDir?: string;
  /** Field path used in configuration errors. @default 'backup' */
  readonly field?: string;
}

/**
 * Nightly backups of the Prometheus TSDB and of Grafana's SQLite database, restorable with
 * `restoreJob()` (docs/backup-restore.md). Nothing is rendered when `enabled` is false.
 *
 * - `prometheus-backup` CronJob: the snapshot API of replica 0 (stable DNS name through the
 *   governing headless Service), then a checksummed copy of `snapshots/<name>` from the replica's
 *   data volume to `monitoring-backups-prometheus`, the snapshot removed again, the last `keep` kept.
 * - `grafana-backup` CronJob: SQLite online backup of `grafana.db` plus `PRAGMA integrity_check`,
 *   to `monitoring-backups-grafana`, the last `keep` kept.
 * - With `s3`, each job's second container uploads the new backup to the bucket and prunes it there.
 *
 * Both jobs mount the component's ReadWriteOnce data volume while the component runs. RWO allows
 * several pods on one node only, so each job has a required podAffinity to the node of the pod it
 * backs up (`statefulset.kubernetes.io/pod-name: prometheus-0`, Grafana's selector labels).
 * There is one backup volume per component rather than one shared volume: the jobs run on the
 * nodes of two different pods, and a shared RWO volume could attach to one node at a time (and,
 * on zonal storage, would be in only one zone), so one of the jobs could not start.
 */
export class Backups extends Construct {
  /** The backup (and restore) pods of Prometheus, as the wiring knows them; undefined when disabled. */
  readonly prometheusWorkload?: Workload;
  /** The backup (and restore) pods of Grafana, as the wiring knows them; undefined when disabled. */
  readonly grafanaWorkload?: Workload;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    const { config, namespace, wiring } = props;
    checkBackupConfig(config, props.field ?? 'backup');
    if (!config.enabled) return;
    const labels = standardLabels('backup', 'backup');

    new k8s.KubeConfigMap(this, 'Scripts', {
      metadata: { name: BACKUP_SCRIPTS_CONFIGMAP, namespace, labels },
      data: {
        ...Object.fromEntries(BACKUP_SCRIPT_FILES.map((f) => [f, readBackupScript(f, props.scriptsDir)])),
        [S3_SCRIPT_KEY]: S3_SCRIPT,
      },
    });
    for (const component of ['prometheus', 'grafana'] as const) {
      new k8s.KubePersistentVolumeClaim(this, `Volume-${component}`, {
        metadata: { name: backupClaimName(component), namespace, labels: standardLabels(`${component}-backup`, 'backup') },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: config.storageClass ?? undefined,
          resources: { requests: quantities({ storage: config.storage[component] }) },
        },
      });
    }

    const promBackup = wiring.addWorkload({ id: 'prometheus-backup', namespace, podLabels: backupPodLabels('prometheus'), owned: true, ports: [] });
    const grafanaBackup = wiring.addWorkload({ id: 'grafana-backup', namespace, podLabels: backupPodLabels('grafana'), owned: true, ports: [] });
    this.prometheusWorkload = promBackup;
    this.grafanaWorkload = grafanaBackup;
    wiring.allowToWorkload(workloadPeer(promBackup), props.prometheus.workload, props.prometheus.portName, 'TSDB snapshot for backups; restore checks that Prometheus is stopped');
    wiring.allowToWorkload(workloadPeer(grafanaBackup), props.grafana.workload, props.grafana.portName, 'restore checks that Grafana is stopped');
    if (config.s3) {
      const bucket: Peer = { kind: 'cidr', id: 'backup-bucket', cidr: config.s3.egressCidr };
      const port = endpointPort(config.s3.endpoint);
      for (const w of [promBackup, grafanaBackup]) {
        wiring.allow({ from: workloadPeer(w), to: bucket, port, protocol: 'TCP', reason: `backup copies to S3 bucket ${config.s3.bucket}` });
      }
    }

    const promUrl = prometheusPodUrl(namespace, 0, wiring.port(props.prometheus.workload, props.prometheus.portName).port);
    this.cronJob('prometheus', namespace, config,
      withBasicAuth(scriptContainer('backup', 'prometheus', 'prometheus-backup.sh', config.images, {
        PROMETHEUS_URL: promUrl,
        DATA_DIR: COMPONENTS.prometheus.dataMount,
        BACKUP_DIR: BACKUP_MOUNT,
        KEEP: String(config.keep),
        SNAPSHOT_TIMEOUT: '900',
      }, false), props.prometheus.basicAuth),
      // The snapshot pod: replica 0, through the label the StatefulSet controller sets on each pod.
      sameNodeAs({ ...props.prometheus.workload.podLabels, 'statefulset.kubernetes.io/pod-name': 'prometheus-0' }),
      4 * 3600);
    this.cronJob('grafana', namespace, config,
      scriptContainer('backup', 'grafana', 'grafana-backup.sh', config.images, {
        DB_PATH: GRAFANA_DB_PATH,
        BACKUP_DIR: BACKUP_MOUNT,
        KEEP: String(config.keep),
        BUSY_TIMEOUT_MS: '30000',
      }, false),
      sameNodeAs(props.grafana.workload.podLabels),
      3600);
  }

  private cronJob(component: BackupComponent, namespace: string, config: BackupConfig, backup: k8s.Container, affinity: k8s.Affinity, deadlineSeconds: number): void {
    const labels = standardLabels(`${component}-backup`, 'backup');
    // With a bucket, the backup runs first (init container) and the upload after it, in the same pod.
    const pod = config.s3
      ? { affinity, initContainers: [backup], containers: [s3Container('upload', component, config.s3, config.images, { S3_ACTION: 'upload', KEEP: String(config.keep) })] }
      : { affinity, containers: [backup] };
    new k8s.KubeCronJob(this, `CronJob-${component}`, {
      metadata: { name: `${component}-backup`, namespace, labels },
      spec: {
        schedule: config.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels }, spec: backupJobSpec(component, labels, deadlineSeconds, pod) },
      },
    });
  }
}

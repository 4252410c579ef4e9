import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { BackupComponent, BackupConfig, checkBackupConfig } from '../config/backup';
import { BACKUP_SCRIPT_FILES, BACKUP_SCRIPTS_CONFIGMAP, readBackupScript, S3_SCRIPT, S3_SCRIPT_KEY } from '../content/backup-scripts';
import { standardLabels } from '../wiring/labels';
import { Peer, Wiring, Workload, workloadPeer } from '../wiring/wiring';
import {
  BACKUP_MOUNT, backupClaimName, backupJobSpec, backupPodLabels, COMPONENTS, endpointPort, GRAFANA_DB_PATH, prometheusPodUrl,
  s3Container, sameNodeAs, scriptContainer, withBasicAuth,
} from './backup-jobs';
import { quantities } from './kube';

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
      4 * 3600, props.prometheus.basicAuth?.passwordSecret);
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

  private cronJob(component: BackupComponent, namespace: string, config: BackupConfig, backup: k8s.Container, affinity: k8s.Affinity, deadlineSeconds: number, passwordSecret?: string): void {
    const labels = standardLabels(`${component}-backup`, 'backup');
    // With a bucket, the backup runs first (init container) and the upload after it, in the same pod.
    const pod = config.s3
      ? {
        affinity, passwordSecret, s3CredentialsSecret: config.s3.credentialsSecret,
        initContainers: [backup], containers: [s3Container('upload', component, config.s3, config.images, { S3_ACTION: 'upload', KEEP: String(config.keep) })],
      }
      : { affinity, passwordSecret, containers: [backup] };
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

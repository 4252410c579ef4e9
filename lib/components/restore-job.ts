import { toYaml } from '../output/yaml-output';
import { BackupComponent, BackupConfig } from '../config/backup';
import {
  BACKUP_MOUNT, backupJobSpec, COMPONENTS, GRAFANA_DB_PATH, GRAFANA_HTTP_PORT, prometheusPodUrl, s3Container, scriptContainer,
} from './backup-jobs';
import { ConfigError } from '../config/errors';
import * as k8s from '../../imports/k8s';
import { toJsonInOrder } from './kube';
import { standardLabels } from '../wiring/labels';
import { GRAFANA_PODS_SERVICE } from './grafana';

/** What `restoreJob` needs of an environment's configuration (an `EnvironmentConfig` has it). */
export interface RestoreConfig {
  /** Namespace of the stack. */
  readonly namespace: string;
  /** The backup settings the stack was synthesized with (images, bucket). */
  readonly backup: BackupConfig;
}

/** Options of `restoreJob`. */
export interface RestoreOptions {
  /** Prometheus only: the replica whose `prometheus-data-prometheus-<replica>` volume is replaced. @default 0 */
  readonly replica?: number;
  /** Download the backup from the S3 bucket into the backup volume first (it is lost or emptied). @default false */
  readonly fromS3?: boolean;
}

const BACKUP_NAME = /^\d{8}T\d{6}Z$/;

/**
 * A Job that replaces a component's data with one backup: it mounts the backup volume and the
 * data volume and runs `backup/<component>-restore.sh` (from the `monitoring-backup-scripts`
 * ConfigMap), which verifies the backup's checksums, refuses while the component still answers,
 * wipes the data (Prometheus: the whole TSDB; Grafana: grafana.db with its -wal/-shm/-journal) and
 * copies the backup in. Scale the component to 0 before applying it; see docs/backup-restore.md.
 *
 * @param backupName a backup such as `20261124T101500Z` (as listed on the volume or in the bucket),
 *   or `latest` for the newest complete backup on the volume
 */
export function restoreJob(component: BackupComponent, backupName: string, config: RestoreConfig, options: RestoreOptions = {}): Record<string, any> {
  if (!(component in COMPONENTS)) {
    throw new ConfigError('restore --component', component, 'is not a component with backups', 'use prometheus or grafana');
  }
  if (backupName !== 'latest' && !BACKUP_NAME.test(backupName)) {
    throw new ConfigError('restore --backup', backupName, 'is not a backup name', 'use a folder name such as 20261124T101500Z (kubectl logs of the backup job print it), or latest');
  }
  const replica = options.replica ?? 0;
  if (!Number.isInteger(replica) || replica < 0 || (component === 'grafana' && replica !== 0)) {
    throw new ConfigError('restore --replica', replica, component === 'grafana' ? 'is set for Grafana, which has one replica' : 'is not a replica number', 'use 0 (the replica that is backed up), 1, ...');
  }
  const { namespace, backup } = config;
  const s3 = backup.s3;
  if (options.fromS3 && !s3) {
    throw new ConfigError('restore --from-s3', true, 'is set, but this environment has no backup.s3 bucket', 'restore from the backup volume, or configure backup.s3');
  }
  if (options.fromS3 && backupName === 'latest') {
    throw new ConfigError('restore --backup', backupName, 'cannot be "latest" when downloading from S3', 'name the backup, as listed in the bucket');
  }

  const spec = COMPONENTS[component];
  const liveCheck = component === 'prometheus'
    ? `${prometheusPodUrl(namespace, replica)}/-/healthy`
    : `http://${GRAFANA_PODS_SERVICE}.${namespace}.svc:${GRAFANA_HTTP_PORT}/api/health`;
  const vars: Record<string, string> = component === 'prometheus'
    ? { BACKUP_NAME: backupName, DATA_DIR: spec.dataMount, BACKUP_DIR: BACKUP_MOUNT, LIVE_CHECK_URL: liveCheck }
    : { BACKUP_NAME: backupName, DB_PATH: GRAFANA_DB_PATH, BACKUP_DIR: BACKUP_MOUNT, LIVE_CHECK_URL: liveCheck };
  const restore = scriptContainer('restore', component, `${component}-restore.sh`, backup.images, vars, true);
  const download = options.fromS3 && s3
    ? [s3Container('download', component, s3, backup.images, { S3_ACTION: 'download', BACKUP_NAME: backupName })]
    : [];
  // The restore pods carry the backup pods' labels, so the same NetworkPolicy paths apply (the
  // "still running?" check, the bucket).
  const labels = standardLabels(`${component}-backup`, 'restore');
  const target = component === 'prometheus' ? `prometheus-${replica}` : 'grafana';
  const job: k8s.KubeJobProps = {
    metadata: {
      name: `restore-${target}-${backupName.toLowerCase()}`, namespace, labels,
      annotations: { 'nanoe-monitoring/backup': backupName, 'nanoe-monitoring/restores': spec.dataClaim(replica) },
    },
    spec: backupJobSpec(component, labels, 6 * 3600, { initContainers: download, containers: [restore], s3CredentialsSecret: download.length ? s3?.credentialsSecret : undefined }, replica),
  };
  return toJsonInOrder({ apiVersion: 'batch/v1', kind: 'Job', ...job }, (j) => ({ ...k8s.KubeJob.GVK, ...k8s.toJson_KubeJobProps(j) }));
}

/** `restoreJob` as YAML, for `kubectl apply -f -`. */
export function restoreJobYaml(component: BackupComponent, backupName: string, config: RestoreConfig, options: RestoreOptions = {}): string {
  return toYaml(restoreJob(component, backupName, config, options));
}

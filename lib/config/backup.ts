import { bool, checkValue, cidr, dnsName, image, intBetween, nullable, secretName, Shape, storage, text, url } from './checks';
import { ConfigError } from './errors';
import { pinnedImage } from './versions';

/** An S3-compatible bucket that receives a copy of every backup (off the cluster's storage). */
export interface S3BackupConfig {
  /** https URL of the S3 API, e.g. `https://s3.eu-central-1.amazonaws.com` or `https://minio.example.com:9000`. */
  readonly endpoint: string;
  /** Bucket name; backups go to `<bucket>/prometheus/<name>/` and `<bucket>/grafana/<name>/`. */
  readonly bucket: string;
  /** Region for request signing (any value for most S3-compatible stores). @default 'us-east-1' */
  readonly region: string;
  /**
   * Secret (created by the operator) with key `credentials`: an AWS shared credentials file with a
   * `[default]` profile (`aws_access_key_id`, `aws_secret_access_key`); docs/backup-restore.md.
   */
  readonly credentialsSecret: string;
  /** CIDR the endpoint's addresses are in; the backup pods may open connections there on the endpoint's port. */
  readonly egressCidr: string;
}

/** Pinned images of the backup and restore jobs. */
export interface BackupImages {
  /** Has sh and curl (Prometheus snapshot API). @default the image versions.json pins */
  readonly curl: string;
  /**
   * Has sh and python3 with the sqlite3 module (SQLite online backup, `backup/sqlite.py`): the Docker
   * Official Image `python:<version>-alpine`. @default the image versions.json pins
   */
  readonly python: string;
  /** Has sh and the AWS CLI (S3 upload and download); used only when `s3` is set. @default the image versions.json pins */
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

/** The images used by default: the releases versions.json pins. */
export const DEFAULT_BACKUP_IMAGES: BackupImages = {
  curl: pinnedImage('curl'),
  python: pinnedImage('python'),
  awsCli: pinnedImage('awsCli'),
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
  const sets = parts.map((part, i) => {
    const spec = CRON_FIELDS[i];
    const num = (s: string): number => {
      const byName = spec.names?.indexOf(s.toLowerCase()) ?? -1;
      const n = byName >= 0 ? byName + (spec.name === 'month' ? 1 : 0) : /^\d+$/.test(s) ? Number(s) : NaN;
      if (!(n >= spec.min && n <= spec.max)) {
        throw new ConfigError(field, value, `has "${s}" as ${spec.name}, outside ${spec.min}-${spec.max}`, fix);
      }
      return n;
    };
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const m = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new ConfigError(field, value, `has "${item}" as ${spec.name}, which is not cron syntax`, fix);
      if (m[2] !== undefined && !(Number(m[2]) >= 1)) throw new ConfigError(field, value, `has step "/${m[2]}" as ${spec.name}`, fix);
      const step = Number(m[2] ?? 1);
      const [lo, hi] = m[1] === '*' || m[1] === '?' ? [spec.min, spec.max] : m[1].split('-').map(num);
      const top = hi ?? (m[2] !== undefined ? spec.max : lo);
      if (lo > top) throw new ConfigError(field, value, `has the empty range "${m[1]}" as ${spec.name}`, fix);
      for (let n = lo; n <= top; n += step) values.add(n);
    }
    return { any: part === '*' || part === '?', values };
  });
  // Cron fires when the day of month OR the day of week matches if both are restricted, so only a
  // restricted day of month with any weekday can name a date that never exists (e.g. 31 February).
  const [, , dom, month, dow] = sets;
  if (!dom.any && dow.any) {
    const daysIn = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const fires = [...month.values].some((mo) => [...dom.values].some((d) => d <= daysIn[mo - 1]));
    if (!fires) throw new ConfigError(field, value, 'never fires: no month in it has that day', `${fix}; e.g. "0 0 28 2 *" for late February`);
  }
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
  storage: { prometheus: storage, grafana: storage },
  storageClass: nullable(dnsName),
  s3: nullable({ endpoint: url(true), bucket: bucketName, region: text, credentialsSecret: secretName, egressCidr: cidr }),
  images: { curl: image, python: image, awsCli: image },
};

/** Throws a ConfigError naming the field when `config` does not have the shape of `BackupConfig`. */
export function checkBackupConfig(config: BackupConfig, field = 'backup'): void {
  checkValue(field, config, BACKUP_SHAPE);
}

/** The two components that are backed up. */
export type BackupComponent = 'prometheus' | 'grafana';

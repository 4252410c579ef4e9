/**
 * One identity per component: a uid and gid of its own, so that no component can read another's
 * process environment or files (a process can read `/proc/<pid>/environ` of every process with its
 * own uid, and node-exporter mounts the host's `/proc`). Before issue 16, node-exporter, Prometheus,
 * Alertmanager, both exporters, the reloaders and the backup jobs all ran as 65534 (`nobody`).
 * Every container keeps a read-only root, so the images' own users are not needed; data volumes are
 * owned through `fsGroup`.
 */
export const UIDS = {
  /** Prometheus and its Thanos sidecar (one component, one data volume). */
  prometheus: 10090,
  alertmanager: 10093,
  /** The `grafana` user of the official image, which no other component uses. */
  grafana: 472,
  nodeExporter: 10100,
  postgresExporter: 10187,
  redisExporter: 10121,
  /** The S3 copy container of the backup jobs (holds the S3 keys). */
  backupS3: 10300,
} as const;

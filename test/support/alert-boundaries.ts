/**
 * The threshold of every alert, as a table for test/alert-thresholds.test.ts: for each comparison of
 * a rule (`> 0.05`, `< 0.15`, `== 0` …), input series that hold the compared quantity just inside,
 * exactly at, and just outside the threshold. The test renders each row into promtool unit tests and
 * runs them with the pinned promtool against the rule files as shipped.
 *
 * `args` are the knob of `series` (a count per 30s, a gauge value …), chosen so that the quantity
 * the rule compares is exactly the threshold (the same float64 as the literal) for `at`; the test
 * checks that with `==` before it checks the alert. `activeFrom` is the first evaluation at which
 * the `outside` input satisfies the comparison: 0s for gauges, 30s for ratios of two rates (the
 * first window with two samples), 5m for a single rate (Prometheus 3 range windows are left-open, so
 * the 5m window is full, and the rate steady, from t=5m on).
 */

/** One input series of promtool: its selector and its values in expanding notation for `n` more steps. */
export interface Input {
  readonly series: string;
  readonly values: (n: number) => string;
}

/** A gauge held at `v`. */
export const hold = (series: string, v: number): Input => ({ series, values: (n) => `${v}x${n}` });
/** A counter (or gauge) starting at `start` that changes by `step` every 30s. */
export const ramp = (series: string, step: number, start = 0): Input => ({
  series,
  values: (n) => `${fix(start)}${step < 0 ? '-' : '+'}${fix(Math.abs(step))}x${n}`,
});
/** A gauge that is `first` at t=0 and `then` afterwards. */
export const stepTo = (series: string, first: number, then: number): Input => ({ series, values: (n) => `${first} ${then}x${n - 1}` });
const fix = (x: number): string => String(Number(x.toFixed(6)));

export interface Boundary {
  /** The alert. */
  readonly alert: string;
  /** The comparison exactly as the rule's expression writes it (whitespace aside). */
  readonly comparison: string;
  /** What the comparison reads; default: the expression's text before `comparison`. */
  readonly quantity?: string;
  /** First evaluation (seconds) at which the `outside` input satisfies the comparison. */
  readonly activeFrom: number;
  /** The knob of `series` for each point; a point without a value does not exist for this alert. */
  readonly args: { readonly inside?: number; readonly at: number; readonly outside?: number };
  readonly series: (arg: number) => Input[];
}

const API = 'job="nanoe-api",namespace="nanoe",instance="10.1.0.10:8000"';
const NODE = 'job="node-exporter",instance="10.0.0.1:9100"';
const FS = `${NODE},device="/dev/sda1",fstype="ext4",mountpoint="/"`;
const CADVISOR = 'job="cadvisor",instance="10.0.0.1:10250",namespace="nanoe",pod="api-0",container="api",image="nanoe/api:1"';
const PG = 'job="postgres-exporter",instance="10.1.0.20:9187"';
const REDIS = 'job="redis-exporter",instance="10.1.0.30:9121"';
const PROM = 'job="prometheus",instance="10.1.0.40:9090"';
const KUBELET = 'job="kubelet",instance="10.0.0.1:10250",namespace="nanoe",persistentvolumeclaim="data-postgres-0"';
const DAY = 24 * 3600;

export const BOUNDARIES: readonly Boundary[] = [
  // `a` 5xx of 1280 requests every 30s (above the traffic guard). Not 50 of 1000: the two rates and
  // their sum round so that 50/1000 comes out a hair under 0.05; 64/1280 is 0.05 exactly, at every
  // evaluation (the exactness is checked by promtool, `== 0.05`).
  { alert: 'HighErrorRate', comparison: '> 0.05', activeFrom: 30, args: { inside: 63, at: 64, outside: 65 },
    series: (a) => [ramp(`http_requests_total{${API},code="200"}`, 1280 - a), ramp(`http_requests_total{${API},code="500"}`, a)] },
  // The traffic guard: every request fails, `a` requests every 30s (3 per 30s = 0.1/s).
  { alert: 'HighErrorRate', comparison: '>= 0.1', quantity: 'job:nanoe_api_requests:rate5m', activeFrom: 300, args: { inside: 2.97, at: 3, outside: 3.03 },
    series: (a) => [ramp(`http_requests_total{${API},code="500"}`, a)] },
  // `a` of 1000 requests every 30s take at most 1s: 950 puts p95 exactly on the 1s bucket boundary.
  { alert: 'APIHighResponseTime', comparison: '> 1', activeFrom: 30, args: { inside: 951, at: 950, outside: 949 },
    series: (a) => [
      ramp(`http_request_duration_seconds_bucket{${API},le="0.5"}`, 900),
      ramp(`http_request_duration_seconds_bucket{${API},le="1"}`, a),
      ramp(`http_request_duration_seconds_bucket{${API},le="2.5"}`, 1000),
      ramp(`http_request_duration_seconds_bucket{${API},le="+Inf"}`, 1000),
    ] },
  { alert: 'InstanceDown', comparison: '== 0', activeFrom: 0, args: { inside: 1, at: 0 }, series: (a) => [hold(`up{${NODE}}`, a)] },
  { alert: 'PostgresDown', comparison: '== 0', activeFrom: 0, args: { inside: 1, at: 0 }, series: (a) => [hold(`pg_up{${PG}}`, a)] },
  { alert: 'RedisDown', comparison: '== 0', activeFrom: 0, args: { inside: 1, at: 0 }, series: (a) => [hold(`redis_up{${REDIS}}`, a)] },
  // `a` bytes of 1000 available.
  { alert: 'HighMemoryUsage', comparison: '> 0.85', activeFrom: 0, args: { inside: 151, at: 150, outside: 149 },
    series: (a) => [hold(`node_memory_MemAvailable_bytes{${NODE}}`, a), hold(`node_memory_MemTotal_bytes{${NODE}}`, 1000)] },
  { alert: 'DiskSpaceLow', comparison: '> 0.85', activeFrom: 0, args: { inside: 151, at: 150, outside: 149 },
    series: (a) => [hold(`node_filesystem_avail_bytes{${FS}}`, a), hold(`node_filesystem_size_bytes{${FS}}`, 1000), hold(`node_filesystem_readonly{${FS}}`, 0)] },
  // Used share `a`, held constant while the free space shrinks (so predict_linear reaches 0 within 24h).
  { alert: 'NodeDiskFillingUp', comparison: '> 0.6', activeFrom: 30, args: { inside: 0.599, at: 0.6, outside: 0.601 },
    series: (a) => [
      ramp(`node_filesystem_avail_bytes{${FS}}`, -(1 - a) * 5, (1 - a) * 10000),
      ramp(`node_filesystem_size_bytes{${FS}}`, -5, 10000),
      hold(`node_filesystem_readonly{${FS}}`, 0),
    ] },
  { alert: 'ContainerNearMemoryLimit', comparison: '> 0.9', activeFrom: 0, args: { inside: 899, at: 900, outside: 901 },
    series: (a) => [hold(`container_memory_working_set_bytes{${CADVISOR}}`, a), hold(`container_spec_memory_limit_bytes{${CADVISOR}}`, 1000)] },
  { alert: 'PrometheusConfigReloadFailed', comparison: '== 0', activeFrom: 0, args: { inside: 1, at: 0 },
    series: (a) => [hold(`prometheus_config_last_reload_successful{${PROM}}`, a)] },
  { alert: 'PrometheusRuleEvaluationFailures', comparison: '> 0', activeFrom: 30, args: { at: 0, outside: 1 },
    series: (a) => [ramp(`prometheus_rule_evaluation_failures_total{${PROM},rule_group="alerts.rules.yaml;node.alerts"}`, a)] },
  { alert: 'AlertmanagerNotificationsFailing', comparison: '> 0.01', activeFrom: 30, args: { inside: 9, at: 10, outside: 11 },
    series: (a) => [
      ramp('alertmanager_notifications_failed_total{job="alertmanager",instance="10.1.0.50:9093",integration="webhook"}', a),
      ramp('alertmanager_notifications_total{job="alertmanager",instance="10.1.0.50:9093",integration="webhook"}', 1000),
    ] },
  // Free share `a` of a volume whose free space shrinks by 0.1 byte/s (empty within 24h).
  { alert: 'PersistentVolumeFillingUp', comparison: '< 0.15', activeFrom: 30, args: { inside: 0.151, at: 0.15, outside: 0.149 },
    series: (a) => [
      ramp(`kubelet_volume_stats_available_bytes{${KUBELET}}`, -a * 20, a * 20000),
      ramp(`kubelet_volume_stats_capacity_bytes{${KUBELET}}`, -20, 20000),
      ramp(`kubelet_volume_stats_used_bytes{${KUBELET}}`, -(1 - a) * 20, (1 - a) * 20000),
    ] },
  { alert: 'PersistentVolumeAlmostFull', comparison: '< 0.03', activeFrom: 0, args: { inside: 31, at: 30, outside: 29 },
    series: (a) => [
      hold(`kubelet_volume_stats_available_bytes{${KUBELET}}`, a),
      hold(`kubelet_volume_stats_capacity_bytes{${KUBELET}}`, 1000),
      hold(`kubelet_volume_stats_used_bytes{${KUBELET}}`, 1000 - a),
    ] },
  // `a` bytes stored of a 1000-byte size limit; data from t=0 under a 15-day time limit.
  { alert: 'PrometheusStorageNearRetentionSize', comparison: '> 0.9', activeFrom: 0, args: { inside: 899, at: 900, outside: 901 },
    series: (a) => storage(a, 0) },
  // The oldest sample is `a` seconds old (0.9 × 15 days = 1166400 s): at the time limit, not the size limit.
  { alert: 'PrometheusStorageNearRetentionSize', comparison: '< 0.9 * prometheus_tsdb_retention_limit_seconds{job="prometheus"}',
    quantity: '(time() - prometheus_tsdb_lowest_timestamp_seconds{job="prometheus"})', activeFrom: 0,
    args: { inside: 1166430, at: 1166400, outside: 1166370 }, series: (a) => storage(950, a) },
  { alert: 'ContainerOOMKilled', comparison: '> 0', activeFrom: 30, args: { at: 0, outside: 1 },
    series: (a) => [ramp(`container_oom_events_total{${CADVISOR}}`, a)] },
  { alert: 'ContainerCPUThrottlingHigh', comparison: '> 0.25', activeFrom: 30, args: { inside: 24, at: 25, outside: 26 },
    series: (a) => [ramp(`container_cpu_cfs_throttled_periods_total{${CADVISOR}}`, a), ramp(`container_cpu_cfs_periods_total{${CADVISOR}}`, 100)] },
  { alert: 'NodeFilesystemAlmostOutOfInodes', comparison: '< 0.05', activeFrom: 0, args: { inside: 51, at: 50, outside: 49 },
    series: (a) => [hold(`node_filesystem_files_free{${FS}}`, a), hold(`node_filesystem_files{${FS}}`, 1000), hold(`node_filesystem_readonly{${FS}}`, 0)] },
  // Writable at t=0, then `a`.
  { alert: 'NodeFilesystemReadOnly', comparison: '== 1', activeFrom: 30, args: { inside: 0, at: 1 },
    series: (a) => [stepTo(`node_filesystem_readonly{${FS}}`, 0, a)] },
  { alert: 'NodeFilesystemDeviceError', comparison: '== 1', activeFrom: 0, args: { inside: 0, at: 1 },
    series: (a) => [hold(`node_filesystem_device_error{${FS}}`, a)] },
  // `a` receive errors per 1000 packets.
  { alert: 'NodeNetworkErrors', comparison: '> 0.01', activeFrom: 30, args: { inside: 9, at: 10, outside: 11 },
    series: (a) => [
      ramp(`node_network_receive_errs_total{${NODE},device="eth0"}`, a),
      ramp(`node_network_transmit_errs_total{${NODE},device="eth0"}`, 0),
      ramp(`node_network_receive_packets_total{${NODE},device="eth0"}`, 1000),
      ramp(`node_network_transmit_packets_total{${NODE},device="eth0"}`, 0),
    ] },
  { alert: 'NodeClockDrift', comparison: '> 0.05', activeFrom: 0, args: { inside: 0.049, at: 0.05, outside: 0.051 },
    series: (a) => [hold(`node_timex_offset_seconds{${NODE}}`, a)] },
  { alert: 'NodeConntrackTableNearFull', comparison: '> 0.75', activeFrom: 0, args: { inside: 749, at: 750, outside: 751 },
    series: (a) => [hold(`node_nf_conntrack_entries{${NODE}}`, a), hold(`node_nf_conntrack_entries_limit{${NODE}}`, 1000)] },
  { alert: 'PostgresTooManyConnections', comparison: '> 0.8', activeFrom: 0, args: { inside: 79, at: 80, outside: 81 },
    series: (a) => [hold(`pg_stat_activity_count{${PG},datname="nanoe",state="active"}`, a), hold(`pg_settings_max_connections{${PG}}`, 100)] },
  { alert: 'PostgresExporterScrapeError', comparison: '== 1', activeFrom: 0, args: { inside: 0, at: 1 },
    series: (a) => [hold(`pg_exporter_last_scrape_error{${PG}}`, a), hold(`pg_up{${PG}}`, 1)] },
  // `a` deadlocks every 30s: 0.5 is 1 a minute.
  { alert: 'PostgresDeadlocks', comparison: '> 1', activeFrom: 300, args: { inside: 0.49, at: 0.5, outside: 0.51 },
    series: (a) => [ramp(`pg_stat_database_deadlocks{${PG},datname="nanoe"}`, a)] },
  // `a` of 170 block reads every 30s hit the cache. Not 90 of 100: those rates round to a ratio a
  // hair under 0.9 (the alert would fire "at" 90%); 153/170 is 0.9 exactly at every evaluation.
  { alert: 'PostgresLowCacheHitRatio', comparison: '< 0.9', activeFrom: 30, args: { inside: 154, at: 153, outside: 152 },
    series: (a) => [ramp(`pg_stat_database_blks_hit{${PG},datname="nanoe"}`, a), ramp(`pg_stat_database_blks_read{${PG},datname="nanoe"}`, 170 - a)] },
  { alert: 'RedisMemoryNearMaxmemory', comparison: '> 0.9', activeFrom: 0, args: { inside: 899, at: 900, outside: 901 },
    series: (a) => [hold(`redis_memory_used_bytes{${REDIS}}`, a), hold(`redis_memory_max_bytes{${REDIS}}`, 1000)] },
  { alert: 'RedisRejectedConnections', comparison: '> 0', activeFrom: 30, args: { at: 0, outside: 1 },
    series: (a) => [ramp(`redis_rejected_connections_total{${REDIS}}`, a)] },
  { alert: 'RedisEvictingKeys', comparison: '> 0', activeFrom: 30, args: { at: 0, outside: 1 },
    series: (a) => [ramp(`redis_evicted_keys_total{${REDIS}}`, a)] },
  { alert: 'RedisAofWriteFailing', comparison: '== 0', activeFrom: 0, args: { inside: 1, at: 0 },
    series: (a) => [hold(`redis_aof_last_write_status{${REDIS}}`, a), hold(`redis_aof_enabled{${REDIS}}`, 1)] },
  // Two Alertmanagers up; each sees `a` cluster members.
  { alert: 'AlertmanagerClusterDegraded', comparison: '< on (job) count by (job) (up{job="alertmanager"} == 1)', activeFrom: 0,
    args: { inside: 3, at: 2, outside: 1 },
    series: (a) => ['am-0', 'am-1'].flatMap((i) => [
      hold(`up{job="alertmanager",instance="${i}"}`, 1),
      hold(`alertmanager_cluster_members{job="alertmanager",instance="${i}"}`, a),
    ]) },
];

/** Prometheus storage: `bytes` of a 1000-byte size limit, the oldest sample `age` seconds old (0: from t=0). */
function storage(bytes: number, age: number): Input[] {
  return [
    hold(`prometheus_tsdb_storage_blocks_bytes{${PROM}}`, bytes - 100),
    hold(`prometheus_tsdb_wal_storage_size_bytes{${PROM}}`, 60),
    hold(`prometheus_tsdb_head_chunks_storage_size_bytes{${PROM}}`, 40),
    hold(`prometheus_tsdb_retention_limit_bytes{${PROM}}`, 1000),
    hold(`prometheus_tsdb_retention_limit_seconds{${PROM}}`, 15 * DAY),
    age === 0 ? hold(`prometheus_tsdb_lowest_timestamp_seconds{${PROM}}`, 0) : ramp(`prometheus_tsdb_lowest_timestamp_seconds{${PROM}}`, 30, -age),
  ];
}

/**
 * Alerts of rules/ without a threshold: the reason, for the test that every other alert has a row.
 * (TargetAbsent, generated per scrape job by lib/content/target-rules.ts, is `absent(up{job=…})`:
 * no threshold either; test/ha.test.ts runs it through promtool.)
 */
export const WITHOUT_THRESHOLD: Readonly<Record<string, string>> = {
  Watchdog: 'vector(1): always firing by design (rules/tests/watchdog.test.yaml)',
};

/**
 * PostgreSQL through postgres-exporter. Its labels grew across versions (`server` in 0.11 only,
 * `usename`, `application_name`… later), so every query aggregates by `datname`; the `instance`
 * variable is single-valued so that those sums never mix two servers. `pg_stat_database_*` counters
 * have no `_total` suffix. Template databases and the `datname=""` row are left out.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { finish, nanoeDashboard, NEUTRAL, queryVariable, statPanel, timeseriesPanel, trafficLight, UP_DOWN_MAPPINGS } from './common';

export const POSTGRESQL_DASHBOARD_UID = 'nanoe-postgresql';

const INSTANCE = 'instance=~"$instance"';
const DATABASES = `${INSTANCE}, datname=~"$datname", datname!~"template.*|"`;

/** Rows per second of one `pg_stat_database_tup_*` counter, per database. */
function tupleRate(counter: string): string {
  return `sum by (datname) (rate(pg_stat_database_${counter}{${DATABASES}}[$__rate_interval]))`;
}

export function buildPostgresqlDashboard(): Dashboard {
  const dashboard = nanoeDashboard({
    uid: POSTGRESQL_DASHBOARD_UID,
    title: 'Nanoe PostgreSQL',
    description: 'Availability, connections, row operations, open transactions, deadlocks, cache hit ratio and size of the Nanoe PostgreSQL databases (postgres-exporter).',
    variables: [
      queryVariable('instance', 'Server', 'label_values(pg_up, instance)', { multi: false }),
      queryVariable('datname', 'Database', 'label_values(pg_database_size_bytes{instance=~"$instance", datname!~"template.*|"}, datname)', {
        multi: true,
      }),
    ],
  })
    .withPanel(
      statPanel({
        title: 'Up',
        description: 'Whether postgres-exporter could connect to the server at its last scrape.',
        unit: units.NoUnit,
        thresholds: [
          { color: 'red', value: null },
          { color: 'green', value: 1 },
        ],
        mappings: UP_DOWN_MAPPINGS,
        queries: [{ expr: `pg_up{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Active connections now',
        description: 'Backends currently running a query, all selected databases together.',
        unit: units.Short,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(pg_stat_activity_count{state="active", ${DATABASES}})`, legend: 'active' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Longest transaction now',
        description: 'Age of the oldest open transaction in the selected databases.',
        unit: units.Seconds,
        thresholds: trafficLight(60, 300),
        queries: [{ expr: `max(pg_stat_activity_max_tx_duration{${DATABASES}})`, legend: 'longest' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Total size',
        description: 'Disk space used by the selected databases together.',
        unit: units.BytesIEC,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(pg_database_size_bytes{${DATABASES}})`, legend: 'size' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Active connections',
        description: 'Backends in state "active" (running a query) per database.',
        unit: units.Short,
        min: 0,
        queries: [{ expr: `sum by (datname) (pg_stat_activity_count{state="active", ${DATABASES}})`, legend: '{{datname}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Database operations',
        description: 'Rows inserted, updated, deleted and fetched (read by selects) per second, per database.',
        unit: units.RowsPerSecond,
        min: 0,
        queries: [
          { expr: tupleRate('tup_inserted'), legend: '{{datname}} inserted' },
          { expr: tupleRate('tup_updated'), legend: '{{datname}} updated' },
          { expr: tupleRate('tup_deleted'), legend: '{{datname}} deleted' },
          { expr: tupleRate('tup_fetched'), legend: '{{datname}} selected (fetched)' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Longest open transaction',
        description: 'Age of the oldest open transaction per database; PostgreSQL keeps no histogram of transaction durations.',
        unit: units.Seconds,
        min: 0,
        queries: [{ expr: `max by (datname) (pg_stat_activity_max_tx_duration{${DATABASES}})`, legend: '{{datname}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Connections and max_connections',
        description: 'Client connections of every database and state together, against the server\'s max_connections (PostgresTooManyConnections fires above 80%).',
        unit: units.Short,
        min: 0,
        queries: [
          { expr: `sum(pg_stat_activity_count{${INSTANCE}})`, legend: 'connections' },
          { expr: `max(pg_settings_max_connections{${INSTANCE}})`, legend: 'max_connections' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Deadlocks',
        description: 'Deadlocks detected per second, per database; each one aborts a transaction (PostgresDeadlocks fires above 1 per minute).',
        unit: units.OpsPerSecond,
        min: 0,
        queries: [{ expr: `sum by (datname) (rate(pg_stat_database_deadlocks{${DATABASES}}[$__rate_interval]))`, legend: '{{datname}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Cache hit ratio',
        description: 'Share of block reads served from shared buffers, per database; no data while a database reads no block (PostgresLowCacheHitRatio fires below 90%).',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [
          {
            expr:
              `sum by (datname) (rate(pg_stat_database_blks_hit{${DATABASES}}[$__rate_interval])) / ` +
              `(sum by (datname) (rate(pg_stat_database_blks_hit{${DATABASES}}[$__rate_interval])) + ` +
              `sum by (datname) (rate(pg_stat_database_blks_read{${DATABASES}}[$__rate_interval])) > 0)`,
            legend: '{{datname}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Database size',
        description: 'Disk space used by each database.',
        unit: units.BytesIEC,
        min: 0,
        width: 24,
        queries: [{ expr: `sum by (datname) (pg_database_size_bytes{${DATABASES}})`, legend: '{{datname}}' }],
      }),
    );
  return finish(dashboard);
}

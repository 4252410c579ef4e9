/** Redis through redis-exporter (metric names stable since 1.0). */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { finish, nanoeDashboard, NEUTRAL, queryVariable, statPanel, timeseriesPanel, UP_DOWN_MAPPINGS } from './common';

export const REDIS_DASHBOARD_UID = 'nanoe-redis';

const INSTANCE = 'instance=~"$instance"';

function perSecond(counter: string): string {
  return `sum by (instance) (rate(${counter}{${INSTANCE}}[$__rate_interval]))`;
}

/**
 * Keyspace hits / (hits + misses) per instance, only where there were lookups: without any the
 * denominator is 0 and `> 0` drops it, so an idle instance shows no data instead of a fake 0 %
 * (or NaN).
 */
const HIT_RATIO =
  `${perSecond('redis_keyspace_hits_total')} / ` +
  `(${perSecond('redis_keyspace_hits_total')} + ${perSecond('redis_keyspace_misses_total')} > 0)`;

export function buildRedisDashboard(): Dashboard {
  const dashboard = nanoeDashboard({
    uid: REDIS_DASHBOARD_UID,
    title: 'Nanoe Redis',
    description: 'Availability, clients, commands, memory, keys and cache hit ratio of the Nanoe Redis (redis-exporter).',
    variables: [queryVariable('instance', 'Instance', 'label_values(redis_up, instance)', { multi: true })],
  })
    .withPanel(
      statPanel({
        title: 'Up',
        description: 'Whether redis-exporter could reach Redis at its last scrape.',
        unit: units.NoUnit,
        thresholds: [
          { color: 'red', value: null },
          { color: 'green', value: 1 },
        ],
        mappings: UP_DOWN_MAPPINGS,
        queries: [{ expr: `redis_up{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Total keys',
        description: 'Keys in all databases of the selected instances together.',
        unit: units.Short,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(redis_db_keys{${INSTANCE}})`, legend: 'keys' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Connected clients now',
        description: 'Client connections open right now, selected instances together.',
        unit: units.Short,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(redis_connected_clients{${INSTANCE}})`, legend: 'clients' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Cache hit ratio now',
        description: 'Share of key lookups that found the key, per instance; no data while there are no lookups.',
        unit: units.PercentUnit,
        thresholds: NEUTRAL,
        queries: [{ expr: HIT_RATIO, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Connected clients',
        description: 'Client connections open on each instance.',
        unit: units.Short,
        min: 0,
        queries: [{ expr: `redis_connected_clients{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Commands processed',
        description: 'Commands executed per second by each instance.',
        unit: units.OpsPerSecond,
        min: 0,
        queries: [{ expr: perSecond('redis_commands_processed_total'), legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Memory used',
        description: 'Memory Redis has allocated, and its maxmemory limit where one is set.',
        unit: units.BytesIEC,
        min: 0,
        queries: [
          { expr: `redis_memory_used_bytes{${INSTANCE}}`, legend: '{{instance}} used' },
          { expr: `redis_memory_max_bytes{${INSTANCE}} > 0`, legend: '{{instance}} maxmemory' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Cache hit ratio',
        description: 'Share of key lookups that found the key, per instance; no data while there are no lookups.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: HIT_RATIO, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Evictions and rejected connections',
        description: 'Keys evicted to stay under maxmemory, and client connections rejected at maxclients, per second and instance (RedisEvictingKeys, RedisRejectedConnections).',
        unit: units.OpsPerSecond,
        min: 0,
        queries: [
          { expr: perSecond('redis_evicted_keys_total'), legend: '{{instance}} evicted keys' },
          { expr: perSecond('redis_rejected_connections_total'), legend: '{{instance}} rejected connections' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Keys',
        description: 'Keys in all databases of each instance.',
        unit: units.Short,
        min: 0,
        queries: [{ expr: `sum by (instance) (redis_db_keys{${INSTANCE}})`, legend: '{{instance}}' }],
      }),
    );
  return finish(dashboard);
}

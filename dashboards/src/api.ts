/**
 * Nanoe API: traffic, latency, errors and memory. Rate, latency and error panels read only the
 * recording rules shipped with the stack (`job:nanoe_api_*`, labels job and namespace; the bucket rule
 * also le), so the dashboard does not depend on how the API names its raw metrics.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { finish, heatmapPanel, nanoeDashboard, NEUTRAL, queryVariable, statPanel, timeseriesPanel, trafficLight } from './common';

export const API_DASHBOARD_UID = 'nanoe-api';

const NS = 'namespace=~"$namespace"';
const MEMORY = `process_resident_memory_bytes{job="nanoe-api", ${NS}}`;

export function buildApiDashboard(): Dashboard {
  const dashboard = nanoeDashboard({
    uid: API_DASHBOARD_UID,
    title: 'Nanoe API',
    description: 'Request rate, response time, 5xx share and memory of the Nanoe API, from the job:nanoe_api_* recording rules.',
    variables: [queryVariable('namespace', 'Namespace', 'label_values(job:nanoe_api_requests:rate5m, namespace)', { multi: true })],
  })
    .withPanel(
      statPanel({
        title: 'Requests per second',
        description: 'Requests per second over the last 5 minutes, all selected namespaces together.',
        unit: units.RequestsPerSecond,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(job:nanoe_api_requests:rate5m{${NS}})`, legend: 'requests/s' }],
      }),
    )
    .withPanel(
      statPanel({
        title: '5xx share',
        description: 'Share of requests answered with a 5xx status over the last 5 minutes (worst namespace).',
        unit: units.PercentUnit,
        thresholds: trafficLight(0.01, 0.05),
        queries: [{ expr: `max(job:nanoe_api_request_errors:ratio_rate5m{${NS}})`, legend: '5xx share' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'p95 response time',
        description: '95th percentile response time over the last 5 minutes (worst namespace).',
        unit: units.Seconds,
        thresholds: trafficLight(0.5, 1),
        queries: [{ expr: `max(job:nanoe_api_request_duration_seconds:p95_rate5m{${NS}})`, legend: 'p95' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Memory (all pods)',
        description: 'Resident memory of all API processes together.',
        unit: units.BytesIEC,
        thresholds: NEUTRAL,
        queries: [{ expr: `sum(${MEMORY})`, legend: 'RSS' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Request rate',
        description: 'Requests per second per namespace (5-minute rate), all requests and those answered with 5xx.',
        unit: units.RequestsPerSecond,
        min: 0,
        queries: [
          { expr: `job:nanoe_api_requests:rate5m{${NS}}`, legend: '{{namespace}} all' },
          { expr: `job:nanoe_api_requests_5xx:rate5m{${NS}}`, legend: '{{namespace}} 5xx' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Response time',
        description: 'Median, 95th and 99th percentile response time per namespace, from the duration histogram over 5 minutes.',
        unit: units.Seconds,
        min: 0,
        queries: [
          { expr: `job:nanoe_api_request_duration_seconds:p50_rate5m{${NS}}`, legend: '{{namespace}} p50' },
          { expr: `job:nanoe_api_request_duration_seconds:p95_rate5m{${NS}}`, legend: '{{namespace}} p95' },
          { expr: `job:nanoe_api_request_duration_seconds:p99_rate5m{${NS}}`, legend: '{{namespace}} p99' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Error rate (5xx share)',
        description: 'Share of requests answered with a 5xx status per namespace over 5 minutes.',
        unit: units.PercentUnit,
        min: 0,
        queries: [{ expr: `job:nanoe_api_request_errors:ratio_rate5m{${NS}}`, legend: '{{namespace}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Memory usage',
        description: 'Resident memory (RSS) of each API process.',
        unit: units.BytesIEC,
        min: 0,
        queries: [{ expr: MEMORY, legend: '{{namespace}} {{instance}}' }],
      }),
    )
    .withPanel(
      heatmapPanel({
        title: 'Response time distribution',
        description: 'Requests per second in each response-time bucket of the duration histogram (5-minute rate).',
        unit: units.RequestsPerSecond,
        yUnit: units.Seconds,
        width: 24,
        queries: [
          {
            expr: `sum by (le) (job:nanoe_api_request_duration_seconds_bucket:rate5m{${NS}})`,
            legend: '{{le}}',
            format: 'heatmap',
          },
        ],
      }),
    );
  return finish(dashboard);
}

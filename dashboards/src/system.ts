/**
 * Nodes and containers. Node panels read the node recording rules shipped with the stack
 * (`instance:node_*`, labels instance and job; filesystem also mountpoint); container panels read
 * cAdvisor directly and sit in their own collapsed row, so their (high-cardinality) queries run only
 * when the row is opened.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { collapsedRow, finish, gaugePanel, nanoeDashboard, queryVariable, timeseriesPanel, trafficLight } from './common';

export const SYSTEM_DASHBOARD_UID = 'nanoe-system';

/** Title of the row that holds the cAdvisor panels (tests look it up by this name). */
export const CONTAINERS_ROW_TITLE = 'Containers (cAdvisor)';
/** Title of the row of PersistentVolumeClaim capacity (the kubelet's volume statistics). */
export const VOLUMES_ROW_TITLE = 'Volumes (kubelet)';

const INSTANCE = 'instance=~"$instance"';
/** Real containers only: drops the pod-level cgroup (container="") and the pause container (image=""). */
const CONTAINERS = 'container!="", image!="", namespace=~"$namespace"';
const VOLUMES = 'job="kubelet", namespace=~"$namespace"';

export function buildSystemDashboard(): Dashboard {
  const dashboard = nanoeDashboard({
    uid: SYSTEM_DASHBOARD_UID,
    title: 'Nanoe System',
    description: 'CPU, memory, disk and network of every node (node-exporter), and CPU and memory of every container (cAdvisor).',
    variables: [
      queryVariable('instance', 'Node', 'label_values(node_uname_info, instance)', { multi: true }),
      queryVariable('namespace', 'Namespace', 'label_values(container_memory_working_set_bytes{container!="", image!=""}, namespace)', { multi: true }),
    ],
  })
    .withPanel(
      gaugePanel({
        title: 'CPU usage now',
        description: 'Share of CPU time each node spent not idle over the last 5 minutes.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        thresholds: trafficLight(0.8, 0.9),
        queries: [{ expr: `instance:node_cpu_utilisation:rate5m{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      gaugePanel({
        title: 'Memory usage now',
        description: 'Share of each node\'s memory that is not available to new programs.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        thresholds: trafficLight(0.8, 0.9),
        queries: [{ expr: `instance:node_memory_utilisation:ratio{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      gaugePanel({
        title: 'Fullest filesystem now',
        description: 'Used share of the fullest filesystem of each node.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        thresholds: trafficLight(0.8, 0.9),
        queries: [{ expr: `max by (instance) (instance_mountpoint:node_filesystem_usage:ratio{${INSTANCE}})`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'CPU usage',
        description: 'Share of CPU time each node spent not idle (5-minute rate, all cores together).',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: `instance:node_cpu_utilisation:rate5m{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Memory usage',
        description: 'Share of each node\'s memory that is not available (1 - MemAvailable / MemTotal).',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: `instance:node_memory_utilisation:ratio{${INSTANCE}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Disk usage',
        description: 'Used share of each filesystem, per node and mount point.',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: `instance_mountpoint:node_filesystem_usage:ratio{${INSTANCE}}`, legend: '{{instance}} {{mountpoint}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Inode usage',
        description: 'Used share of the inodes of each filesystem, per node and mount point; at 100% no file can be created, whatever the free space (NodeFilesystemAlmostOutOfInodes fires above 95%).',
        unit: units.PercentUnit,
        min: 0,
        max: 1,
        queries: [{ expr: `instance_mountpoint:node_filesystem_inodes_usage:ratio{${INSTANCE}}`, legend: '{{instance}} {{mountpoint}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Network traffic',
        description: 'Bytes per second received and transmitted by each node, all physical interfaces together (5-minute rate).',
        unit: units.BytesPerSecondSI,
        min: 0,
        width: 24,
        queries: [
          { expr: `instance:node_network_receive_bytes:rate5m{${INSTANCE}}`, legend: '{{instance}} receive' },
          { expr: `instance:node_network_transmit_bytes:rate5m{${INSTANCE}}`, legend: '{{instance}} transmit' },
        ],
      }),
    )
    .withRow(
      collapsedRow(CONTAINERS_ROW_TITLE, [
        timeseriesPanel({
          title: 'Container CPU usage',
          description: 'CPU cores used by each container (rate of cAdvisor\'s CPU time counter).',
          unit: units.Short,
          axisLabel: 'CPU cores',
          min: 0,
          legendTable: true,
          queries: [
            {
              expr: `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${CONTAINERS}}[$__rate_interval]))`,
              legend: '{{namespace}}/{{pod}}/{{container}}',
            },
          ],
        }),
        timeseriesPanel({
          title: 'Container memory usage',
          description: 'Working set of each container: the memory the kernel cannot reclaim, which the OOM killer acts on.',
          unit: units.BytesIEC,
          min: 0,
          legendTable: true,
          queries: [
            {
              expr: `sum by (namespace, pod, container) (container_memory_working_set_bytes{${CONTAINERS}})`,
              legend: '{{namespace}}/{{pod}}/{{container}}',
            },
          ],
        }),
      ]),
    )
    .withRow(
      collapsedRow(VOLUMES_ROW_TITLE, [
        timeseriesPanel({
          title: 'Volume usage',
          description: 'Used share of each PersistentVolumeClaim of the stack and of the backend\'s databases (the kubelet\'s volume statistics). PersistentVolumeFillingUp warns under 15% free when the trend runs out within 24 hours.',
          unit: units.PercentUnit,
          min: 0,
          max: 1,
          legendTable: true,
          queries: [
            {
              expr: `max by (namespace, persistentvolumeclaim) (1 - kubelet_volume_stats_available_bytes{${VOLUMES}} / kubelet_volume_stats_capacity_bytes{${VOLUMES}})`,
              legend: '{{namespace}}/{{persistentvolumeclaim}}',
            },
          ],
        }),
        timeseriesPanel({
          title: 'Volume free space',
          description: 'Bytes left on each PersistentVolumeClaim.',
          unit: units.BytesIEC,
          min: 0,
          legendTable: true,
          queries: [
            {
              expr: `min by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${VOLUMES}})`,
              legend: '{{namespace}}/{{persistentvolumeclaim}}',
            },
          ],
        }),
      ]),
    );
  return finish(dashboard);
}

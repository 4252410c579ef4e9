import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { Alertmanager } from './alertmanager';
import { Backups } from './backup';
import { scrapeContainerMetrics } from './cadvisor';
import { EnvironmentConfig } from '../config/types';
import { attachSidecar, BackendPatch, findObject, sidecarPatch } from './exporter-sidecar';
import { DashboardContent, Grafana } from './grafana';
import { standardLabels } from '../wiring/labels';
import { ManifestFile } from '../content/manifest-file';
import { leanRelabelling, metricQueries, usedMetricNames } from '../content/metric-usage';
import { ConfigError } from '../config/errors';
import { NetworkPolicies } from './network-policies';
import { nodeAgentPriorityClass } from './node-agent';
import { NodeExporter } from './node-exporter';
import { postgresCredentialsVolume, postgresExporterContainer, postgresExporterPort } from './postgres-exporter';
import { Prometheus, RuleFileContent } from './prometheus';
import { clientCredentials } from './published-service';
import { redisCredentialsVolume, redisExporterContainer, redisExporterPodAnnotations, redisExporterPort } from './redis-exporter';
import { KUBELET_PORT } from '../wiring/scrape-target';
import { ANYWHERE, Wiring, Workload } from '../wiring/wiring';

/** Props of `MonitoringStack`. */
export interface MonitoringStackProps {
  /** One resolved, validated environment. */
  readonly config: EnvironmentConfig;
  /** Rule files for Prometheus (already validated). @default none */
  readonly rules?: readonly RuleFileContent[];
  /** Grafana dashboards (already validated). @default none */
  readonly dashboards?: readonly DashboardContent[];
  /** Paths of the backend's manifests that hold the Postgres and Redis workloads. @default none: no sidecars */
  readonly backendManifests?: readonly string[];
  /**
   * Called once every built-in component exists and before the NetworkPolicies are rendered from the
   * wiring: the place to declare more scrape targets (`stack.prometheus.scrape(...)`) or workloads.
   * @default nothing
   */
  readonly extend?: (stack: MonitoringStack) => void;
  /** Folder of the backup scripts the backup CronJobs run. @default `backup/` of this project */
  readonly backupScriptsDir?: string;
}

/** The scrape job name of the Nanoe API; the API recording rules select it. */
export const API_JOB = 'nanoe-api';

/**
 * Per-job scrape limits, sized from the measured series counts (README "Sizing") with headroom for
 * big nodes and busy databases; anything beyond is a broken or hostile target, whose scrape then
 * fails (InstanceDown) instead of filling Prometheus's memory. Sized for `metrics: full` (the limit
 * counts samples after metric relabelling, so the lean default stays far below: README "Series budget").
 * - node-exporter: 419 series on a 2-CPU node (docs/figures/series-budget.txt), +8 per CPU: ~1,400
 *   on a 128-CPU node → 10,000.
 * - postgres-exporter: 571 series for the test server, ~30 more per database: ~3,500 with 100 → 10,000.
 * - redis-exporter: 302 idle, plus ~3 per command used (~200 commands) → 5,000.
 * - cAdvisor: 64 container_* metric names (the DaemonSet's groups; README "Sizing") and ~300 cgroups on a full node (110 pods) → 50,000,
 *   with long `id` label values, hence 32 MB. The same for the kubelet's `/metrics/cadvisor`: it also
 *   serves the `network` group (sandbox cgroups only, a few series per pod) and the `process` group,
 *   whose 6 names per cgroup are dropped before the limit counts; the body (counted before the drop)
 *   grows by those ~1,800 lines, far below 32 MB.
 * - Prometheus / Alertmanager self-metrics: about 1,500 / 300 series → 10,000 / 5,000.
 * - the API: not measured here (depends on its routes); 50,000 refused the 300,001-sample scrape of
 *   the threat review and leaves room for a histogram per route.
 */
export const SCRAPE_LIMITS = {
  prometheus: { sampleLimit: 10_000, bodySizeLimit: '4MB' },
  alertmanager: { sampleLimit: 5_000, bodySizeLimit: '2MB' },
  nodeExporter: { sampleLimit: 10_000, bodySizeLimit: '4MB' },
  cadvisor: { sampleLimit: 50_000, bodySizeLimit: '32MB' },
  postgresExporter: { sampleLimit: 10_000, bodySizeLimit: '4MB' },
  redisExporter: { sampleLimit: 5_000, bodySizeLimit: '2MB' },
  api: { sampleLimit: 50_000, bodySizeLimit: '16MB' },
  kubelet: { sampleLimit: 5_000, bodySizeLimit: '16MB' },
} as const;

export { KUBELET_PORT };
/** Job name of the kubelet scrape (volume statistics). */
export const KUBELET_JOB = 'kubelet';
/**
 * The kubelet's PVC statistics (kubernetes pkg/kubelet/metrics/collectors/volume_stats.go, labels
 * `namespace`, `persistentvolumeclaim`; facts/kubelet-unknown.json): the only kubelet series kept.
 */
export const KUBELET_VOLUME_METRICS = [
  'kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_inodes', 'kubelet_volume_stats_inodes_free', 'kubelet_volume_stats_inodes_used',
] as const;

/**
 * The whole monitoring stack of one environment as one chart: namespaces first, then every
 * component, the backend's database workloads with exporter sidecars, and the NetworkPolicies
 * rendered from the wiring last.
 */
export class MonitoringStack extends Chart {
  readonly wiring = new Wiring();
  /**
   * The backend's own objects, loaded from its manifests to learn their pods and to attach the
   * exporters: keys `kind/namespace/name`. They are never written to the stack's folder (the
   * backend's repository owns them); `backendPatches()` is what that repository applies.
   */
  readonly backendObjectKeys = new Set<string>();
  private readonly patched: { target: ApiObject; original: Record<string, any> }[] = [];
  /** Metric names the rules and dashboards read (lean keep-lists). */
  private readonly usedMetrics: ReadonlySet<string>;
  readonly prometheus: Prometheus;
  readonly alertmanager: Alertmanager;
  readonly grafana: Grafana;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { config } = props;
    const { namespace, backend } = config;
    this.createNamespaces(config);
    this.usedMetrics = config.metrics === 'lean' ? usedMetricNames(metricQueries(props.rules ?? [], props.dashboards ?? [])) : new Set();

    this.prometheus = new Prometheus(this, 'Prometheus', {
      config: config.prometheus, namespace, environment: config.name, wiring: this.wiring, ruleFiles: props.rules,
      apiServer: { cidr: config.network.apiServerCidr, ports: config.network.apiServerPorts }, ingress: config.network.ingress,
      enableAdminApi: config.backup.enabled, // the backup job takes TSDB snapshots through it
    });
    this.alertmanager = new Alertmanager(this, 'Alertmanager', { config: config.alertmanager, namespace, wiring: this.wiring, ingress: config.network.ingress });
    this.prometheus.sendAlertsTo(this.alertmanager.workload, this.alertmanager.serviceName, 'web', Alertmanager.clientAuth(config.alertmanager));
    this.prometheus.scrape({
      job: 'alertmanager', workload: this.alertmanager.workload, portName: 'web', basicAuth: Alertmanager.clientAuth(config.alertmanager),
      ownsMetrics: ['alertmanager_*'], limits: SCRAPE_LIMITS.alertmanager,
    });
    const promAuth = Prometheus.clientAuth(config.prometheus);
    this.grafana = new Grafana(this, 'Grafana', {
      config: config.grafana, namespace, wiring: this.wiring, dashboards: props.dashboards, scrapeInterval: config.prometheus.scrapeInterval,
      ingress: config.network.ingress,
      prometheus: {
        workload: this.prometheus.workload, serviceName: this.prometheus.serviceName, portName: 'web',
        basicAuth: promAuth,
      },
    });

    nodeAgentPriorityClass(this);
    const nodeExporter = new NodeExporter(this, 'NodeExporter', { config: config.nodeExporter, namespace: config.nodeAgentsNamespace, wiring: this.wiring });
    this.prometheus.scrape({
      job: 'node-exporter', workload: nodeExporter.workload, portName: 'metrics', instanceIsNode: true, basicAuth: clientCredentials(config.nodeExporter.webAuth),
      ownsMetrics: ['node_*'], limits: SCRAPE_LIMITS.nodeExporter, metricRelabelConfigs: this.lean(config, 'node-exporter', ['node_*']),
    });
    scrapeContainerMetrics(this, {
      config: config.cadvisor, namespace: config.nodeAgentsNamespace, wiring: this.wiring, prometheus: this.prometheus, nodeCidr: config.network.nodeCidr, limits: SCRAPE_LIMITS.cadvisor,
    });

    if (props.backendManifests && props.backendManifests.length > 0) this.monitorBackendDatabases(config, props.backendManifests);

    // Every PVC of the stack and of the backend's databases: the kubelet's volume statistics, only
    // those (the kubelet serves thousands of other series) and only for these namespaces.
    const volumeNamespaces = [...new Set([namespace, backend.namespace])].sort();
    this.prometheus.scrapeNodes({
      job: KUBELET_JOB, port: KUBELET_PORT, nodeCidr: config.network.nodeCidr, reason: 'scrape job kubelet (volume statistics)',
      ownsMetrics: ['kubelet_*'], limits: SCRAPE_LIMITS.kubelet,
      metricRelabelConfigs: [
        { source_labels: ['__name__'], regex: KUBELET_VOLUME_METRICS.join('|'), action: 'keep' },
        { source_labels: ['namespace'], regex: volumeNamespaces.join('|'), action: 'keep' },
      ],
    });

    const api = this.wiring.addWorkload({
      id: 'nanoe-api', namespace: backend.api.namespace, podLabels: backend.api.podLabels, owned: false, ingressPolicy: false,
      ports: [{ name: backend.api.portName, port: backend.api.port }],
    });
    const instr = backend.api.instrumentation;
    this.prometheus.scrape({
      job: API_JOB, workload: api, portName: backend.api.portName, metricsPath: backend.api.metricsPath, limits: SCRAPE_LIMITS.api,
      ownsMetrics: [instr.requestsTotalMetric, ...['bucket', 'count', 'sum'].map((s) => `${instr.durationHistogramMetric}_${s}`)],
    });

    new Backups(this, 'Backups', {
      namespace, wiring: this.wiring, config: config.backup, field: `environments.${config.name}.backup`, scriptsDir: props.backupScriptsDir,
      prometheus: { workload: this.prometheus.workload, portName: 'web', basicAuth: promAuth },
      grafana: { workload: this.grafana.workload, portName: 'http' },
    });

    props.extend?.(this);
    new NetworkPolicies(this, 'NetworkPolicies', { wiring: this.wiring, nodeCidr: config.network.nodeCidr, nodeLocalDnsIp: config.network.nodeLocalDnsIp });
  }

  /** The lean keep rule of an exporter's job (none with `metrics: full`). */
  private lean(config: EnvironmentConfig, job: string, owned: readonly string[]): Record<string, unknown>[] {
    return leanRelabelling(config.metrics, job, owned, this.usedMetrics);
  }

  private createNamespaces(config: EnvironmentConfig): void {
    const ns = (id: string, name: string, extra: Record<string, string>, component: string) => new k8s.KubeNamespace(this, id, {
      metadata: { name, labels: { ...standardLabels('nanoe-monitoring', component), ...extra } },
    });
    ns('Namespace', config.namespace, podSecurity('restricted', 'restricted'), 'namespace');
    // Host network, PID and paths are beyond "baseline": the node agents get a namespace of their own
    // at "privileged", with warnings and audit at baseline so every exception stays visible.
    ns('NodeAgentsNamespace', config.nodeAgentsNamespace, podSecurity('privileged', 'baseline'), 'namespace');
    // The backend's namespace holds the backend's own pods, whose security this stack does not
    // control (images that start as root, such as the official postgres and redis ones, are
    // common): enforcing "restricted" could keep the API or a database from starting. "baseline"
    // is enforced (no privileged, host namespaces or hostPath), "restricted" is warned about and
    // audited, so every gap is visible; the exporter sidecars meet "restricted" themselves.
    if (config.backend.createNamespace) ns('BackendNamespace', config.backend.namespace, podSecurity('baseline', 'restricted'), 'backend-namespace');
  }

  /** Loads the backend's manifests, adds the exporter sidecars and declares their scrape targets. */
  private monitorBackendDatabases(config: EnvironmentConfig, manifests: readonly string[]): void {
    const { backend } = config;
    const objects: ApiObject[] = [];
    const field = `environments.${config.name}.backend`;
    const seen = new Map<string, string>();
    manifests.forEach((file, i) => {
      for (const o of new ManifestFile(this, `Backend${i}`, file).apiObjects) {
        // The same object in two files: the later copy (perhaps without the sidecar) would win on apply.
        // `namespace: ""` is no namespace: the object goes to backend.namespace like one without it.
        const key = `${o.kind}/${o.metadata.namespace || backend.namespace}/${o.name}`;
        if (seen.has(key)) {
          throw new ConfigError(`${field}.manifestsPath`, `${o.kind}/${o.name}`, `is defined in both ${seen.get(key)} and ${file}; one copy would silently replace the other on apply`, 'keep each object in one file only');
        }
        seen.set(key, file);
        objects.push(o);
      }
    });
    for (const o of objects) {
      if (!o.metadata.namespace) o.addJsonPatch(JsonPatch.add('/metadata/namespace', backend.namespace));
      this.backendObjectKeys.add(`${o.kind}/${o.metadata.namespace || backend.namespace}/${o.name}`);
    }
    const targets = [
      findObject(objects, backend.postgres.workloadKind, backend.postgres.workloadName, `${field}.postgres`),
      findObject(objects, backend.redis.workloadKind, backend.redis.workloadName, `${field}.redis`),
    ];
    for (const target of targets) this.patched.push({ target, original: target.toJson() });
    const postgres = attachSidecar({
      id: 'postgres', wiring: this.wiring, defaultNamespace: backend.namespace,
      target: targets[0],
      container: postgresExporterContainer(backend.postgres, { address: 'localhost:5432/postgres', sslMode: 'disable' }),
      volumes: [postgresCredentialsVolume(backend.postgres)],
      port: postgresExporterPort(backend.postgres),
    });
    this.prometheus.scrape({ job: 'postgres-exporter', workload: postgres, portName: 'pg-metrics', ownsMetrics: ['pg_*'], limits: SCRAPE_LIMITS.postgresExporter,
      metricRelabelConfigs: this.lean(config, 'postgres-exporter', ['pg_*']) });
    const redis = attachSidecar({
      id: 'redis', wiring: this.wiring, defaultNamespace: backend.namespace,
      target: targets[1],
      container: redisExporterContainer(backend.redis, 'redis://localhost:6379'),
      volumes: [redisCredentialsVolume(backend.redis)],
      podAnnotations: redisExporterPodAnnotations(),
      port: redisExporterPort(backend.redis),
    });
    this.prometheus.scrape({ job: 'redis-exporter', workload: redis, portName: 'redis-metrics', ownsMetrics: ['redis_*'], limits: SCRAPE_LIMITS.redisExporter,
      metricRelabelConfigs: this.lean(config, 'redis-exporter', ['redis_*']) });
    this.keepBackendClients(postgres, 'pg-metrics');
    this.keepBackendClients(redis, 'redis-metrics');
  }

  /**
   * One strategic-merge patch per backend workload that gets an exporter: what the monitoring adds
   * to its pod template (containers, volumes), for the backend's repository to apply with its own
   * objects (`kustomize` `patches:`). Computed from the object before and after the attachment.
   */
  backendPatches(): BackendPatch[] {
    return this.patched.map(({ target, original }) => sidecarPatch(original, target.toJson()));
  }

  /**
   * The ingress policy added to a database pod would otherwise cut off its own clients: keep every
   * port but the exporter's reachable from anywhere (other namespaces, nodes, outside the cluster),
   * as it was before the stack selected the pod. Only the exporter port is Prometheus's alone.
   */
  private keepBackendClients(db: Workload, metricsPort: string): void {
    for (const p of db.ports) {
      if (p.name === metricsPort) continue;
      this.wiring.allowToWorkload(ANYWHERE, db, p.name, 'database clients from anywhere (unchanged)');
    }
  }
}

function podSecurity(enforce: string, warn: string): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/warn': warn,
    'pod-security.kubernetes.io/audit': warn,
  };
}

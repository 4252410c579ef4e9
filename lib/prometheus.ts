import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ConfigError } from './config/errors';
import { configReloader } from './config-reloader';
import { PrometheusConfig } from './config/types';
import { kubeObject } from './kube-object';
import { selectorLabels, standardLabels } from './labels';
import { container, httpProbe, restrictedPodSecurity } from './pod-security';
import { renderScrapeJob, ScrapeTarget, scrapeServiceName } from './scrape-target';
import { Peer, Wiring, Workload, workloadPeer } from './wiring';

/** The uid of `nobody` in the Prometheus image (its USER is a name, so the uid must be explicit). */
const PROMETHEUS_UID = 65534;
const CONFIG_DIR = '/etc/prometheus/config';
const RULES_DIR = '/etc/prometheus/rules';
const WEB_PORT = 9090;

/** A rule file as it is mounted into Prometheus. */
export interface RuleFileContent {
  /** File name inside the rules ConfigMap, e.g. `node.rules.yaml`. */
  readonly name: string;
  /** The YAML text. */
  readonly text: string;
}

/** Props of `Prometheus`. */
export interface PrometheusProps {
  /** Server settings (image, storage, retention, intervals, resources). */
  readonly config: PrometheusConfig;
  /** Namespace of the stack. */
  readonly namespace: string;
  /** Environment name, set as the `environment` external label. */
  readonly environment: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** Rule files mounted into Prometheus and listed in `rule_files`. @default none */
  readonly ruleFiles?: readonly RuleFileContent[];
  /** CIDR and ports of the Kubernetes API server, for discovery. */
  readonly apiServer: { readonly cidr: string; readonly ports: readonly number[] };
}

/**
 * Prometheus as a StatefulSet with a `prometheus-data` volume per replica that survives deletion and
 * scale-down, a configuration generated from typed scrape targets and reloaded in place (no restart,
 * so no head-block replay), and discovery RBAC limited to the namespaces it scrapes.
 */
export class Prometheus extends Construct {
  /** The Prometheus pods, as the wiring knows them. */
  readonly workload: Workload;
  /** The ClusterIP Service that Grafana and users query. */
  readonly serviceName = 'prometheus';
  private readonly targets: ScrapeTarget[] = [];
  private readonly discoveryNamespaces = new Set<string>();
  private readonly ruleFileNames: string[];
  private alertmanagers: { namespace: string; service: string; portName: string } | undefined;

  constructor(scope: Construct, id: string, private readonly props: PrometheusProps) {
    super(scope, id);
    const { namespace, config, wiring } = props;
    const labels = standardLabels('prometheus', 'server');
    this.workload = wiring.addWorkload({
      id: 'prometheus', namespace, podLabels: selectorLabels('prometheus'), owned: true,
      ports: [{ name: 'web', port: WEB_PORT }],
    });
    for (const port of props.apiServer.ports) {
      wiring.allow({ from: this.peer, to: { kind: 'cidr', id: 'kube-apiserver', cidr: props.apiServer.cidr }, port, protocol: 'TCP', reason: 'Kubernetes service discovery' });
    }

    kubeObject(this, 'ServiceAccount', {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prometheus', namespace, labels },
      automountServiceAccountToken: true, // discovery reads Endpoints/Pods through the API
    });
    kubeObject(this, 'Service', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: this.serviceName, namespace, labels },
      spec: { selector: this.workload.podLabels, ports: [{ name: 'web', port: WEB_PORT, targetPort: 'web', protocol: 'TCP' }] },
    });
    new ApiObject(this, 'Config', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus-config', namespace, labels },
      data: { 'prometheus.yml': Lazy.any({ produce: () => this.renderConfigYaml() }) },
    });
    const ruleFiles = [...(props.ruleFiles ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    kubeObject(this, 'Rules', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus-rules', namespace, labels },
      data: Object.fromEntries(ruleFiles.map((f) => [f.name, f.text])),
    });
    this.ruleFileNames = ruleFiles.map((f) => f.name);
    this.createStatefulSet(config, namespace, labels);
    if (config.replicas > 1) {
      kubeObject(this, 'Pdb', {
        apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'prometheus', namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: this.workload.podLabels } },
      });
    }
    this.scrape({ job: 'prometheus', workload: this.workload, portName: 'web' });
  }

  /** This Prometheus as the source of a path. */
  get peer(): Peer {
    return workloadPeer(this.workload);
  }

  /**
   * Scrapes a target: adds its job, a headless Service with its metrics port in its namespace, the
   * discovery RBAC for that namespace, and the path Prometheus → target that NetworkPolicies allow.
   */
  scrape(target: ScrapeTarget): void {
    if (this.targets.some((t) => t.job === target.job)) {
      throw new ConfigError('scrape job', target.job, 'is declared twice', 'give every scrape target its own job name');
    }
    const port = this.props.wiring.port(target.workload, target.portName);
    this.targets.push(target);
    this.props.wiring.allowToWorkload(this.peer, target.workload, target.portName, `scrape job ${target.job}`);
    const ns = target.workload.namespace;
    kubeObject(this, `Scrape-${target.job}`, {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: scrapeServiceName(target.job), namespace: ns, labels: standardLabels(target.job, 'metrics') },
      spec: {
        clusterIP: 'None',
        selector: target.workload.podLabels,
        ports: [{ name: port.name, port: port.port, targetPort: port.name, protocol: port.protocol ?? 'TCP' }],
      },
    });
    this.allowDiscoveryIn(ns);
  }

  /** Sends alerts to the Alertmanager pods behind `service` and allows the path. */
  sendAlertsTo(alertmanager: Workload, service: string, portName: string): void {
    this.props.wiring.allowToWorkload(this.peer, alertmanager, portName, 'alert delivery');
    this.alertmanagers = { namespace: alertmanager.namespace, service, portName };
    this.allowDiscoveryIn(alertmanager.namespace);
  }

  /** The jobs declared so far, in declaration order. */
  get scrapeTargets(): readonly ScrapeTarget[] {
    return this.targets;
  }

  /** Read-only discovery of Services, Endpoints and Pods in one namespace: nothing cluster-wide. */
  private allowDiscoveryIn(namespace: string): void {
    if (this.discoveryNamespaces.has(namespace)) return;
    this.discoveryNamespaces.add(namespace);
    const labels = standardLabels('prometheus', 'server');
    kubeObject(this, `DiscoveryRole-${namespace}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
      metadata: { name: 'prometheus-discovery', namespace, labels },
      rules: [{ apiGroups: [''], resources: ['endpoints', 'pods', 'services'], verbs: ['get', 'list', 'watch'] }],
    });
    kubeObject(this, `DiscoveryBinding-${namespace}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: 'prometheus-discovery', namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-discovery' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: this.props.namespace }],
    });
  }

  /** The full prometheus.yml as an object (also used by tests and the local end-to-end check). */
  renderConfig(): Record<string, unknown> {
    const { config, environment } = this.props;
    const am = this.alertmanagers;
    return {
      global: {
        scrape_interval: config.scrapeInterval,
        evaluation_interval: config.evaluationInterval,
        // `replica` distinguishes HA replicas for deduplication downstream; expanded from the pod name.
        external_labels: { environment, replica: '${POD_NAME}' },
      },
      ...(am ? {
        alerting: {
          alertmanagers: [{
            kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [am.namespace] } }],
            relabel_configs: [
              { source_labels: ['__meta_kubernetes_service_name'], regex: am.service, action: 'keep' },
              { source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: am.portName, action: 'keep' },
            ],
          }],
        },
      } : {}),
      rule_files: this.ruleFileNames.map((n) => `${RULES_DIR}/${n}`),
      scrape_configs: this.targets.map((t) => renderScrapeJob(t, t.portName)),
    };
  }

  private renderConfigYaml(): string {
    return stringify(this.renderConfig(), { lineWidth: 0 });
  }

  private createStatefulSet(config: PrometheusConfig, namespace: string, labels: Record<string, string>): void {
    const podLabels = { ...labels, ...this.workload.podLabels };
    const prometheus = container({
      name: 'prometheus', image: config.image, uid: PROMETHEUS_UID, resources: config.resources,
      args: [
        `--config.file=${CONFIG_DIR}/prometheus.yml`,
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${config.retentionTime}`,
        `--storage.tsdb.retention.size=${config.retentionSize}`,
        '--storage.tsdb.wal-compression',
        `--web.listen-address=:${WEB_PORT}`,
        '--web.enable-lifecycle', // POST /-/reload, used by the reloader sidecar over loopback
        '--enable-feature=expand-external-labels',
      ],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      ports: this.workload.ports,
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'rules', mountPath: RULES_DIR, readOnly: true },
        { name: 'prometheus-data', mountPath: '/prometheus' },
      ],
      readinessProbe: httpProbe('/-/ready', 'web', 5),
      livenessProbe: httpProbe('/-/healthy', 'web', 15, 4),
    });
    // A large WAL takes minutes to replay; the startup probe keeps liveness from killing it meanwhile.
    prometheus.startupProbe = httpProbe('/-/ready', 'web', 15, 60);
    const reloader = configReloader(PROMETHEUS_UID, [
      { name: 'config', mountPath: CONFIG_DIR },
      { name: 'rules', mountPath: RULES_DIR },
    ], `http://127.0.0.1:${WEB_PORT}/-/reload`);
    kubeObject(this, 'StatefulSet', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'prometheus', namespace, labels },
      spec: {
        replicas: config.replicas,
        serviceName: scrapeServiceName('prometheus'),
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: this.workload.podLabels },
        // Keep every replica's data when the set is deleted or scaled down.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'prometheus',
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity(PROMETHEUS_UID),
            terminationGracePeriodSeconds: 600, // time to flush the head block on shutdown
            ...(config.replicas > 1 ? { affinity: antiAffinity(this.workload.podLabels) } : {}),
            containers: [prometheus, reloader],
            volumes: [
              { name: 'config', configMap: { name: 'prometheus-config' } },
              { name: 'rules', configMap: { name: 'prometheus-rules' } },
            ],
          },
        },
        volumeClaimTemplates: [{
          apiVersion: 'v1', kind: 'PersistentVolumeClaim',
          metadata: { name: 'prometheus-data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(config.storageClass ? { storageClassName: config.storageClass } : {}),
            resources: { requests: { storage: config.storage } },
          },
        }],
      },
    });
  }
}

/** Spreads replicas over nodes, so one node failure never takes all of them. */
export function antiAffinity(podLabels: Record<string, string>): Record<string, unknown> {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } }],
    },
  };
}

/** Throws when a name is not usable as a rule file name in a ConfigMap. */
export function checkRuleFileName(name: string): void {
  if (!/^[-._a-zA-Z0-9]+$/.test(name)) {
    throw new ConfigError('rules/', name, 'is not a valid ConfigMap key', 'rename the file using letters, digits, "-", "_" and "." only');
  }
}

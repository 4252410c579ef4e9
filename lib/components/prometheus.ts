import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { toYaml } from '../output/yaml-output';
import { checkRuleJobs } from '../content/rule-jobs';
import { ConfigError } from '../config/errors';
import { IngressConfig, PrometheusConfig } from '../config/types';
import { KubeStatefulSet, lazy, namedPort, quantities } from './kube';
import { selectorLabels, standardLabels } from '../wiring/labels';
import { antiAffinity, container, restrictedPodSecurity } from './pod-security';
import { clientCredentials, externalUrl, passwordVolume, publishThroughIngress, SECRET_FILE_MODE, serverAuth, webAuth } from './published-service';
import { targetRulesYaml, TARGET_RULES_FILE_NAME } from '../content/target-rules';
import { UIDS } from './identities';
import { NodeScrapeTarget, ScrapeTarget, scrapeServiceName, secretMountPath } from '../wiring/scrape-target';
import { AlertmanagersTarget, declarePaths, discoveryRbac, kubeletRbac, renderFederationJob, renderPrometheusConfig, replicaAddresses } from './prometheus-config';
import { thanosSidecarContainer, THANOS_GRPC_PORT } from './thanos-sidecar';
import { Peer, PortSpec, Wiring, Workload, workloadPeer } from '../wiring/wiring';

/** Prometheus's own uid (lib/components/identities.ts). */
const PROMETHEUS_UID = UIDS.prometheus;
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
  /** Server settings (image, storage, retention, intervals, resources, remote write, Thanos, federation, exposure). */
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
  /** The ingress controller, used when `config.exposure` publishes Prometheus. */
  readonly ingress: IngressConfig;
  /**
   * Enables the TSDB admin API for consistent snapshots (backups). Anything that can reach the web
   * port can then call it, so NetworkPolicies limit who can. @default false
   */
  readonly enableAdminApi?: boolean;
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
  private readonly nodeTargets: NodeScrapeTarget[] = [];
  private readonly jobs = new Set<string>();
  private readonly discoveryNamespaces = new Set<string>();
  private readonly ruleFileNames: string[];
  /** Secrets mounted under /etc/prometheus/secrets/<name>/ for credentials files, with the keys mounted. */
  private readonly secretVolumes = new Map<string, Set<string>>();
  private alertmanagers: AlertmanagersTarget | undefined;

  constructor(scope: Construct, id: string, private readonly props: PrometheusProps) {
    super(scope, id);
    const { namespace, config, wiring } = props;
    const labels = standardLabels('prometheus', 'server');
    const ports: PortSpec[] = [{ name: 'web', port: WEB_PORT }];
    if (config.thanosSidecar) ports.push({ name: 'grpc', port: THANOS_GRPC_PORT });
    this.workload = wiring.addWorkload({ id: 'prometheus', namespace, podLabels: selectorLabels('prometheus'), owned: true, ports });
    declarePaths(wiring, this.workload, config, props.apiServer);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: 'prometheus', namespace, labels },
      automountServiceAccountToken: true, // discovery reads Endpoints/Pods through the API
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace, labels },
      spec: {
        selector: this.workload.podLabels,
        // Replicas' data differ slightly: each client (Grafana is one pod) stays on one replica, one consistent view.
        ...(config.replicas > 1 ? { sessionAffinity: 'ClientIP' } : {}),
        ports: ports.map((p): k8s.ServicePort => ({ name: p.name, port: p.port, targetPort: namedPort(p.name), protocol: 'TCP' })),
      },
    });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: 'prometheus-config', namespace, labels },
      data: { 'prometheus.yml': lazy(() => this.renderConfigYaml()) },
    });
    const ruleFiles = [...(props.ruleFiles ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    if (ruleFiles.some((f) => f.name === TARGET_RULES_FILE_NAME)) throw new ConfigError('rules/', TARGET_RULES_FILE_NAME, 'is the name of the generated TargetAbsent rules', 'rename the rule file');
    new k8s.KubeConfigMap(this, 'Rules', {
      metadata: { name: 'prometheus-rules', namespace, labels },
      // Checked once every scrape target is declared: each rule selects the job that owns its metrics.
      // The TargetAbsent alerts are generated then too, one per declared job.
      data: lazy(() => {
        checkRuleJobs(ruleFiles, [...this.targets, ...this.nodeTargets].map((t) => ({ job: t.job, metrics: t.ownsMetrics ?? [] })), this.jobs);
        return Object.fromEntries([...ruleFiles.map((f) => [f.name, f.text]), [TARGET_RULES_FILE_NAME, this.renderTargetRules()]].sort(([a], [b]) => a.localeCompare(b)));
      }),
    });
    this.ruleFileNames = [...ruleFiles.map((f) => f.name), TARGET_RULES_FILE_NAME].sort((a, b) => a.localeCompare(b));
    if (config.federation) new k8s.KubeConfigMap(this, 'FederationJob', { metadata: { name: 'prometheus-federation-job', namespace, labels }, data: { 'federate-job.yml': toYaml([this.renderFederationJob()]) } });
    this.createStatefulSet(config, namespace, labels);
    if (config.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', { metadata: { name: 'prometheus', namespace, labels }, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.workload.podLabels } } });
    }
    if (config.exposure) {
      publishThroughIngress(this, 'Ingress', { name: this.serviceName, namespace, labels, host: config.exposure.host, tlsSecret: config.exposure.tlsSecret, portName: 'web', workload: this.workload, ingress: props.ingress, wiring });
    }
    // Once Prometheus asks for basic auth, its own scrape authenticates too.
    this.scrape({ job: 'prometheus', workload: this.workload, portName: 'web', basicAuth: Prometheus.clientAuth(config), publishNotReadyAddresses: true, ownsMetrics: ['prometheus_*'], limits: { sampleLimit: 10_000, bodySizeLimit: '4MB' } });
  }

  /** The credentials every client needs: Prometheus asks every client for basic auth. */
  static clientAuth(config: PrometheusConfig): { username: string; passwordSecret: string } {
    return clientCredentials(serverAuth(config));
  }

  private mountSecret(name: string, key: string): void {
    this.secretVolumes.set(name, new Set([...(this.secretVolumes.get(name) ?? []), key]));
  }

  /** This Prometheus as the source of a path. */
  get peer(): Peer { return workloadPeer(this.workload); }

  /**
   * Scrapes a target: adds its job, a headless Service with its metrics port in its namespace, the
   * discovery RBAC for that namespace, and the path Prometheus → target that NetworkPolicies allow.
   */
  scrape(target: ScrapeTarget): void {
    this.addJob(target.job);
    const port = this.props.wiring.port(target.workload, target.portName);
    this.targets.push(target);
    if (target.basicAuth) this.mountSecret(target.basicAuth.passwordSecret, 'password');
    this.props.wiring.allowToWorkload(this.peer, target.workload, target.portName, `scrape job ${target.job}`);
    const ns = target.workload.namespace;
    new k8s.KubeService(this, `Scrape-${target.job}`, {
      metadata: { name: scrapeServiceName(target.job), namespace: ns, labels: standardLabels(target.job, 'metrics') },
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: target.publishNotReadyAddresses,
        selector: target.workload.podLabels,
        ports: [{ name: port.name, port: port.port, targetPort: namedPort(port.name), protocol: port.protocol ?? 'TCP' }],
      },
    });
    this.allowDiscoveryIn(ns);
  }

  /** Scrapes every node's kubelet: its job, read-only RBAC (list/watch nodes, get nodes/metrics), egress to the node CIDR. */
  scrapeNodes(target: NodeScrapeTarget): void {
    this.addJob(target.job);
    if (this.nodeTargets.length === 0) kubeletRbac(this, this.props.namespace);
    this.nodeTargets.push(target);
    // One path per node port, whichever jobs use it (the kubelet serves /metrics and /metrics/cadvisor).
    this.props.wiring.allow({ from: this.peer, to: { kind: 'cidr', id: 'kubelet', cidr: target.nodeCidr }, port: target.port, protocol: 'TCP', reason: target.reason });
  }

  private addJob(job: string): void {
    if (this.jobs.has(job)) throw new ConfigError('scrape job', job, 'is declared twice', 'give every scrape target its own job name');
    this.jobs.add(job);
  }

  /** Sends alerts to the Alertmanager pods behind `service` and allows the path. */
  sendAlertsTo(alertmanager: Workload, service: string, portName: string, basicAuth?: { username: string; passwordSecret: string }): void {
    this.props.wiring.allowToWorkload(this.peer, alertmanager, portName, 'alert delivery');
    this.alertmanagers = { namespace: alertmanager.namespace, service, portName, basicAuth };
    if (basicAuth) this.mountSecret(basicAuth.passwordSecret, 'password');
    this.allowDiscoveryIn(alertmanager.namespace);
  }

  /** The jobs declared so far, in declaration order. */
  get scrapeTargets(): readonly ScrapeTarget[] { return this.targets; }

  /** Read-only discovery of Services, Endpoints and Pods in one namespace: nothing cluster-wide. */
  private allowDiscoveryIn(namespace: string): void {
    if (this.discoveryNamespaces.has(namespace)) return;
    this.discoveryNamespaces.add(namespace);
    discoveryRbac(this, namespace, this.props.namespace);
  }

  /** The full prometheus.yml as an object (also used by tests and the local end-to-end check). */
  renderConfig(): Record<string, unknown> {
    return renderPrometheusConfig({
      config: this.props.config, environment: this.props.environment, alertmanagers: this.alertmanagers,
      ruleFiles: this.ruleFileNames.map((n) => `${RULES_DIR}/${n}`), targets: this.targets, nodeTargets: this.nodeTargets,
    });
  }

  /** The generated TargetAbsent rule file: one absent alert per declared scrape job. */
  renderTargetRules(): string { return targetRulesYaml(this.targets, this.nodeTargets); }

  /** The scrape job a global Prometheus adds to pull this one's selected series: every replica by its pod DNS name. */
  renderFederationJob(): Record<string, unknown> {
    const pods = replicaAddresses('prometheus', this.props.config.replicas, `${scrapeServiceName('prometheus')}.${this.props.namespace}.svc`, WEB_PORT);
    return renderFederationJob(this.props.config, this.props.environment, pods, Prometheus.clientAuth(this.props.config));
  }

  private renderConfigYaml(): string { return toYaml(this.renderConfig()); }

  private createStatefulSet(config: PrometheusConfig, namespace: string, labels: Record<string, string>): void {
    const podLabels = { ...labels, ...this.workload.podLabels };
    const auth = webAuth(serverAuth(config), 'web');
    for (const rw of config.remoteWrite) if (rw.credentialsSecret) this.mountSecret(rw.credentialsSecret, rw.basicAuthUsername ? 'password' : 'token');
    const secretNames = () => [...this.secretVolumes.keys()].sort();
    const prometheus: k8s.Container = container({
      name: 'prometheus', image: config.image, uid: PROMETHEUS_UID, resources: config.resources,
      args: [
        `--config.file=${CONFIG_DIR}/prometheus.yml`,
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${config.retentionTime}`,
        `--storage.tsdb.retention.size=${config.retentionSize}`,
        // Prometheus 3 compresses the WAL and expands ${POD_NAME} in external labels by default.
        `--web.listen-address=:${WEB_PORT}`,
        // Links in alerts (generatorURL) point where users open Prometheus, not at the pod's name.
        `--web.external-url=${externalUrl(config, this.serviceName, namespace, WEB_PORT)}`,
        '--web.route-prefix=/',
        // Prometheus reloads changed config and rule files itself: no reloader, no lifecycle API.
        '--enable-feature=auto-reload-config',
        '--config.auto-reload-interval=30s',
        ...(this.props.enableAdminApi ? ['--web.enable-admin-api'] : []),
        // The Thanos sidecar uploads 2h blocks; local compaction would upload overlapping ones.
        ...(config.thanosSidecar ? ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] : []),
        ...auth.args,
      ],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      ports: this.workload.ports.filter((p) => p.name === 'web'),
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'rules', mountPath: RULES_DIR, readOnly: true },
        { name: 'prometheus-data', mountPath: '/prometheus' },
        ...auth.mounts,
      ],
      readinessProbe: auth.probe(5),
      livenessProbe: auth.probe(15, 4),
    });
    // Credentials Secrets can still be added after this (sendAlertsTo), so their mounts resolve at synth.
    const staticMounts = prometheus.volumeMounts ?? [];
    const withStartup: k8s.Container = {
      ...prometheus,
      // A large WAL takes minutes to replay; the startup probe keeps liveness from killing it meanwhile.
      startupProbe: auth.probe(15, 60),
      volumeMounts: lazy((): k8s.VolumeMount[] => [...staticMounts, ...secretNames().map((s) => ({ name: `secret-${s}`, mountPath: secretMountPath(s), readOnly: true }))]),
    };
    const self = Prometheus.clientAuth(config);
    const containers = [withStartup, ...(config.thanosSidecar ? [thanosSidecarContainer(config.thanosSidecar, `http://127.0.0.1:${WEB_PORT}`, PROMETHEUS_UID,
      { ...self, passwordFile: `${secretMountPath(self.passwordSecret)}/password`, volume: `secret-${self.passwordSecret}` })] : [])];
    new KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name: 'prometheus', namespace, labels },
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
            affinity: config.replicas > 1 ? antiAffinity(this.workload.podLabels) : undefined,
            containers,
            volumes: lazy((): k8s.Volume[] => [
                { name: 'config', configMap: { name: 'prometheus-config' } },
                { name: 'rules', configMap: { name: 'prometheus-rules' } },
                ...auth.volumes,
                ...(config.thanosSidecar ? [{ name: 'thanos-objstore', secret: { secretName: config.thanosSidecar.objectStoreSecret, defaultMode: SECRET_FILE_MODE } }] : []),
                ...secretNames().map((s): k8s.Volume => {
                  const keys = [...this.secretVolumes.get(s)!].sort();
                  return keys.length === 1 && keys[0] === 'password'
                    ? passwordVolume(`secret-${s}`, s)
                    : { name: `secret-${s}`, secret: { secretName: s, items: keys.map((k) => ({ key: k, path: k })), defaultMode: SECRET_FILE_MODE } };
                }),
            ]),
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'prometheus-data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: config.storageClass ?? undefined,
            resources: { requests: quantities({ storage: config.storage }) },
          },
        }],
      },
    });
  }
}

// The public API of the nanoe-monitoring construct library: the constructs and their props, the few
// functions that connect them, and the config types. main.ts (Nanoe) and examples/ compose only this.
// Internals (YAML writing, the synth driver, the config loader, the pod building blocks) are not
// exported; README "API" lists every export, checked by test/public-api.test.ts.

// Components (lib/components/)
export { MonitoringStack } from './components/stack';
export type { MonitoringStackProps } from './components/stack';
export { Prometheus } from './components/prometheus';
export type { PrometheusProps, RuleFileContent } from './components/prometheus';
export { Alertmanager } from './components/alertmanager';
export type { AlertmanagerProps } from './components/alertmanager';
export { Grafana } from './components/grafana';
export type { GrafanaProps, DashboardContent } from './components/grafana';
export { NodeExporter } from './components/node-exporter';
export type { NodeExporterProps } from './components/node-exporter';
export { Cadvisor, scrapeContainerMetrics } from './components/cadvisor';
export type { ContainerMetricsProps } from './components/cadvisor';
export type { NodeAgentProps } from './components/node-agent';
export { StandaloneExporter } from './components/standalone-exporter';
export type { StandaloneExporterProps } from './components/standalone-exporter';
export { NetworkPolicies } from './components/network-policies';
export type { NetworkPoliciesProps } from './components/network-policies';
export { Backups } from './components/backup';
export type { BackupsProps } from './components/backup';
export { attachSidecar, findObject } from './components/exporter-sidecar';
export type { SidecarAttachment } from './components/exporter-sidecar';
export { postgresCredentialsVolume, postgresExporterContainer, postgresExporterPort } from './components/postgres-exporter';
export type { PostgresConnection } from './components/postgres-exporter';
export { redisCredentialsVolume, redisExporterContainer, redisExporterPodAnnotations, redisExporterPort, REDIS_PASSWORD_FALLBACK_ANNOTATION, REDIS_PASSWORD_FILE_KEY } from './components/redis-exporter';
export { restoreJob, restoreJobYaml } from './components/restore-job';
export type { RestoreConfig, RestoreOptions } from './components/restore-job';

// Wiring (lib/wiring/): the registry every scrape job, Service and NetworkPolicy is rendered from
export { ANYWHERE, Wiring, workloadPeer } from './wiring/wiring';
export type { Workload, PortSpec, Peer, ExternalPeer, Path } from './wiring/wiring';
export type { ScrapeTarget } from './wiring/scrape-target';
export { standardLabels, selectorLabels } from './wiring/labels';

// Content (lib/content/)
export { ManifestFile } from './content/manifest-file';

// Config (lib/config/)
export type {
  EnvironmentConfig, PrometheusConfig, AlertmanagerConfig, GrafanaConfig, NodeAgentConfig, NodeExporterConfig, CadvisorConfig, CadvisorSource, DatabaseExporterConfig,
  BackendConfig, ApiTarget, ApiInstrumentation, NetworkConfig, IngressConfig, GitOpsConfig, Resources, PodPeerConfig,
  RemoteWriteConfig, ThanosSidecarConfig, FederationConfig, ExposureConfig,
} from './config/types';
export type { BackupConfig, BackupImages, S3BackupConfig, BackupComponent } from './config/backup';
export { ConfigError } from './config/errors';
export { pinnedImage } from './config/versions';
export type { PinnedComponent } from './config/versions';

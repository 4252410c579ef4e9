/**
 * A second composition of the library, for a backend that is only an HTTP API (no database to watch):
 * Prometheus scraping the API, Alertmanager, Grafana, and the NetworkPolicies rendered from the wiring.
 * It uses only the public API (`lib/index.ts`); run it with
 *   npx esbuild examples/api-only/app.ts --bundle --platform=node --outfile=build/api-only.js && node build/api-only.js
 * which prints the manifests. test/examples.test.ts synthesizes it and validates every object.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Alertmanager, Grafana, IngressConfig, NetworkPolicies, pinnedImage, Prometheus, PrometheusConfig, Resources, Wiring,
} from '../../lib';

/** Props of `ApiOnlyMonitoring`. */
export interface ApiOnlyMonitoringProps {
  /** Namespace of the monitoring stack (created by the cluster's owner). @default 'observability' */
  readonly namespace?: string;
  /** Where the API runs and how its pods are selected. */
  readonly api: { readonly namespace: string; readonly podLabels: Record<string, string>; readonly port: number };
  /** CIDR of the Kubernetes API server, for service discovery. @default '10.0.0.1/32' */
  readonly apiServerCidr?: string;
}

const resources = (cpu: string, cpuLimit: string, memory: string): Resources => ({ requests: { cpu, memory }, limits: { cpu: cpuLimit, memory } });

const INGRESS: IngressConfig = {
  className: 'nginx', clusterIssuer: null,
  controller: { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
};

const PROMETHEUS: PrometheusConfig = {
  image: pinnedImage('prometheus'), replicas: 1, externalUrl: null, storage: '10Gi', storageClass: null,
  retentionTime: '7d', retentionSize: '8GB', scrapeInterval: '30s', evaluationInterval: '30s',
  resources: resources('200m', '1', '1Gi'), remoteWrite: [], thanosSidecar: null, federation: null, exposure: null,
  webAuth: { secret: 'prometheus-web-auth', username: 'nanoe' },
};

/** Monitoring for one HTTP API: one chart, one wiring, every path declared once. */
export class ApiOnlyMonitoring extends Chart {
  /** The registry every scrape job, Service and NetworkPolicy comes from. */
  readonly wiring = new Wiring();
  /** The Prometheus server. */
  readonly prometheus: Prometheus;

  constructor(scope: Construct, id: string, props: ApiOnlyMonitoringProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = props.namespace ?? 'observability';
    const wiring = this.wiring;
    this.prometheus = new Prometheus(this, 'Prometheus', {
      config: PROMETHEUS, namespace, environment: 'example', wiring, ingress: INGRESS,
      apiServer: { cidr: props.apiServerCidr ?? '10.0.0.1/32', ports: [443, 6443] },
    });
    const alertmanager = new Alertmanager(this, 'Alertmanager', {
      namespace, wiring, ingress: INGRESS,
      config: {
        image: pinnedImage('alertmanager'), replicas: 1, externalUrl: null, exposure: null, webAuth: { secret: 'alertmanager-web-auth', username: 'nanoe' }, configSecret: 'alertmanager-config', storage: '1Gi',
        receiverEgress: [{ cidr: '0.0.0.0/0', port: 443 }], resources: resources('20m', '100m', '64Mi'),
      },
    });
    const amAuth = Alertmanager.clientAuth(alertmanager.config);
    this.prometheus.sendAlertsTo(alertmanager.workload, alertmanager.serviceName, 'web', amAuth);
    this.prometheus.scrape({ job: 'alertmanager', workload: alertmanager.workload, portName: 'web', basicAuth: amAuth });
    new Grafana(this, 'Grafana', {
      namespace, wiring, ingress: INGRESS, scrapeInterval: PROMETHEUS.scrapeInterval,
      prometheus: { workload: this.prometheus.workload, serviceName: this.prometheus.serviceName, portName: 'web', basicAuth: Prometheus.clientAuth(PROMETHEUS) },
      config: {
        image: pinnedImage('grafana'), adminSecret: 'grafana-admin', secretKeySecret: 'grafana-secret-key', storage: '1Gi', storageClass: null,
        ingressHost: null, ingressTlsSecret: 'grafana-tls', resources: resources('50m', '200m', '128Mi'),
      },
    });

    // The API is not the stack's: register its pods (no ingress policy of ours on its serving port) and scrape it.
    const api = wiring.addWorkload({
      id: 'api', namespace: props.api.namespace, podLabels: props.api.podLabels, owned: false, ingressPolicy: false,
      ports: [{ name: 'http', port: props.api.port }],
    });
    this.prometheus.scrape({ job: 'api', workload: api, portName: 'http' });

    new NetworkPolicies(this, 'NetworkPolicies', { wiring, nodeCidr: '10.0.0.0/16' });
  }
}

/** The example app with one API in namespace `shop`. */
export function apiOnlyApp(): App {
  const app = new App();
  new ApiOnlyMonitoring(app, 'api-only', { api: { namespace: 'shop', podLabels: { app: 'shop-api' }, port: 8080 } });
  return app;
}

if (require.main === module) process.stdout.write(apiOnlyApp().synthYaml());

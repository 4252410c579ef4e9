import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigError } from '../lib/config/errors';
import { buildEnvironments } from '../lib/output/synth';
import { configWith, ROOT } from './support/app';

/** Each case changes the default config in one way and names the error it must produce (field, value, fix). */
const CASES: { name: string; edit: (doc: any) => void; env?: string[]; expect: RegExp[] }[] = [
  { name: 'unknown environment', edit: () => {}, env: ['staging'], expect: [/environment: "staging" is not defined/, /use one of: dev, prod/] },
  { name: 'retention size above the PVC', edit: (d) => { d.environments.prod.prometheus.retentionSize = '200GB'; }, expect: [/environments\.prod\.prometheus\.retentionSize: "200GB" must leave 20% of storage "100Gi" free/, /lower retentionSize to at most 80GB or raise storage/] },
  { name: 'retention size equal to the PVC', edit: (d) => { d.defaults.prometheus.retentionSize = '20GB'; }, expect: [/environments\.dev\.prometheus\.retentionSize: "20GB"/, /raise storage/] },
  { name: 'malformed storage quantity', edit: (d) => { d.defaults.grafana.storage = '10 gigs'; }, expect: [/environments\.dev\.grafana\.storage: "10 gigs" is not a Kubernetes quantity/, /"50Gi"/] },
  { name: 'malformed retention time', edit: (d) => { d.environments.prod.prometheus.retentionTime = '30days'; }, expect: [/environments\.prod\.prometheus\.retentionTime: "30days" is not a Prometheus duration/, /"15d"/] },
  { name: 'retention size in Kubernetes units', edit: (d) => { d.defaults.prometheus.retentionSize = '16Gi'; }, expect: [/retentionSize: "16Gi" is not a Prometheus size/, /"45GB"/] },
  { name: 'zero scrape interval', edit: (d) => { d.defaults.prometheus.scrapeInterval = '0s'; }, expect: [/scrapeInterval: "0s" is zero/] },
  { name: 'malformed CPU', edit: (d) => { d.defaults.grafana.resources.limits.cpu = 'two'; }, expect: [/grafana\.resources\.limits\.cpu: "two" is not a CPU quantity/, /"500m"/] },
  { name: 'request above limit', edit: (d) => { d.defaults.alertmanager.resources.requests.memory = '1Gi'; }, expect: [/alertmanager\.resources\.requests\.memory: "1Gi" is above the limit "128Mi"/] },
  { name: 'missing Grafana admin Secret', edit: (d) => { d.defaults.grafana.adminSecret = ''; }, expect: [/grafana\.adminSecret: "" is missing/, /name the Secret/] },
  { name: 'missing Alertmanager config Secret', edit: (d) => { delete d.defaults.alertmanager.configSecret; }, expect: [/alertmanager\.configSecret: undefined is missing/] },
  { name: 'literal password', edit: (d) => { d.defaults.grafana.adminPassword = 'hunter2'; }, expect: [/grafana\.adminPassword: "\*\*\*" is a literal credential/, /create a Kubernetes Secret/] },
  { name: 'literal Redis password', edit: (d) => { d.defaults.backend.redis.password = 's3cret'; }, expect: [/backend\.redis\.password: "\*\*\*" is a literal credential/] },
  { name: 'unknown field (typo)', edit: (d) => { d.defaults.prometheus.retentionTme = '7d'; }, expect: [/prometheus\.retentionTme: "7d" is not a known field/, /retentionTime/] },
  { name: 'unpinned image', edit: (d) => { d.defaults.grafana.image = 'grafana/grafana:latest'; }, expect: [/grafana\.image: "grafana\/grafana:latest" is not pinned/] },
  { name: 'image without tag', edit: (d) => { d.defaults.nodeExporter.image = 'quay.io/prometheus/node-exporter'; }, expect: [/nodeExporter\.image: .* is not pinned/] },
  { name: 'image at an untested release', edit: (d) => { d.defaults.prometheus.image = 'quay.io/prometheus/prometheus:v2.53.2'; }, expect: [/prometheus\.image: "quay\.io\/prometheus\/prometheus:v2\.53\.2" runs release v2\.53\.2, but the tested release is v3\.5\.3/, /bump components\.prometheus in versions\.json/] },
  { name: 'Thanos image at an untested release', edit: (d) => { d.defaults.prometheus.thanosSidecar = { image: 'quay.io/thanos/thanos:v0.36.1', objectStoreSecret: 'o', querier: { namespace: 'thanos', podLabels: { a: 'b' } }, objectStoreEgress: { cidr: '192.0.2.1/32', port: 443 } }; }, expect: [/thanosSidecar\.image: "quay\.io\/thanos\/thanos:v0\.36\.1" runs release v0\.36\.1, but the tested release is v0\.42\.4/] },
  { name: 'port out of range', edit: (d) => { d.defaults.nodeExporter.port = 70000; }, expect: [/nodeExporter\.port: 70000 must be a whole number from 1 to 65535/] },
  { name: 'exporter port clashes with the database port', edit: (d) => { d.defaults.backend.postgres.port = 5432; }, expect: [/postgres\.ports\.pg-metrics: 5432 clashes with port "postgres"/] },
  { name: 'backend workload not in the manifests', edit: (d) => { d.defaults.backend.redis.workloadName = 'cache'; }, expect: [/backend\.redis: "StatefulSet\/cache" is not in the backend manifests/, /StatefulSet\/redis/] },
  { name: 'invalid namespace', edit: (d) => { d.defaults.namespace = 'Monitoring'; }, expect: [/namespace: "Monitoring" is not a valid Kubernetes name/] },
  { name: 'stack in the backend namespace', edit: (d) => { d.defaults.namespace = 'nanoe'; }, expect: [/namespace: "nanoe" equals backend\.namespace/] },
  { name: 'bad CIDR', edit: (d) => { d.defaults.network.nodeCidr = '10.0.0.0/33'; }, expect: [/network\.nodeCidr: "10\.0\.0\.0\/33" is not an IPv4 CIDR/] },
  { name: 'bad metric name', edit: (d) => { d.defaults.backend.api.instrumentation.requestsTotalMetric = 'http-requests'; }, expect: [/requestsTotalMetric: "http-requests" is not a Prometheus metric name/] },
  { name: 'replicas not a number', edit: (d) => { d.environments.prod.prometheus.replicas = 'two'; }, expect: [/prometheus\.replicas: "two" must be a whole number from 1 to 10/] },
  { name: 'default deny switched off', edit: (d) => { d.defaults.network.defaultDeny = false; }, expect: [/network\.defaultDeny: false would leave every pod of the stack open/, /keep it true/] },
  { name: 'Grafana exposed without TLS secret', edit: (d) => { d.defaults.grafana.ingressTlsSecret = ''; }, expect: [/grafana\.ingressTlsSecret: "" is missing/] },
  { name: 'no environments', edit: (d) => { d.environments = {}; }, expect: [/environments: \{\} must list at least one environment/] },
];

describe('a bad config fails synth with an error naming field, value and fix', () => {
  test.each(CASES)('$name', ({ edit, env, expect: patterns }) => {
    const configFile = configWith(edit);
    let error: unknown;
    try {
      buildEnvironments({ root: ROOT, configFile, environments: env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const p of patterns) expect((error as Error).message).toMatch(p);
  });

  test('there are at least 15 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(15));
});

describe('images default to versions.json; a mirror keeps the tested tag', () => {
  test('a mirror of the pinned release is accepted as written', () => {
    const [dev] = buildEnvironments({ root: ROOT, configFile: configWith((d) => { d.defaults.prometheus.image = 'registry.internal/mirror/prometheus:v3.5.3'; }), environments: ['dev'] });
    expect(dev.config.prometheus.image).toBe('registry.internal/mirror/prometheus:v3.5.3');
  });

  test('with no image set, every component runs the image versions.json pins', () => {
    const [dev] = buildEnvironments({ root: ROOT, environments: ['dev'] });
    const table = JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')).components;
    expect([dev.config.prometheus.image, dev.config.grafana.image, dev.config.cadvisor.image, dev.config.backend.redis.image, dev.config.backup.images.sqlite])
      .toEqual([table.prometheus.image, table.grafana.image, table.cadvisor.image, table.redisExporter.image, table.sqlite.image]);
  });
});

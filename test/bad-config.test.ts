import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigError } from '../lib/config/errors';
import { buildEnvironments } from '../lib/output/synth';
import { configWith, ROOT } from './support/app';

/** Each case changes the default config in one way and names the error it must produce (field, value, fix). */
/** A valid remote-write endpoint, changed by `over`. */
const rw = (over: Record<string, unknown>) => ({
  name: 'mimir', url: 'https://mimir.example.com/api/v1/push', egress: { cidr: '192.0.2.10/32', port: 443 }, basicAuthUsername: null,
  credentialsSecret: null, dropMetrics: [], queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000 }, ...over,
});

const CASES: { name: string; edit: (doc: any) => void; env?: string[]; expect: RegExp[]; secret?: string }[] = [
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
  { name: 'NodeLocal DNS address written as a CIDR', edit: (d) => { d.defaults.network.nodeLocalDnsIp = '169.254.20.10/32'; }, expect: [/network\.nodeLocalDnsIp: "169\.254\.20\.10\/32" is not an IPv4 address/, /write one address like "169\.254\.20\.10" \(no "\/32"/] },
  { name: 'NodeLocal DNS address out of range', edit: (d) => { d.environments.prod.network = { nodeLocalDnsIp: '169.254.20.256' }; }, expect: [/network\.nodeLocalDnsIp: "169\.254\.20\.256" is not an IPv4 address/] },
  { name: 'bad CIDR', edit: (d) => { d.defaults.network.nodeCidr = '10.0.0.0/33'; }, expect: [/network\.nodeCidr: "10\.0\.0\.0\/33" is not an IPv4 CIDR/] },
  { name: 'bad metric name', edit: (d) => { d.defaults.backend.api.instrumentation.requestsTotalMetric = 'http-requests'; }, expect: [/requestsTotalMetric: "http-requests" is not a Prometheus metric name/] },
  { name: 'replicas not a number', edit: (d) => { d.environments.prod.prometheus.replicas = 'two'; }, expect: [/prometheus\.replicas: "two" must be a whole number from 1 to 10/] },
  { name: 'cAdvisor source neither kubelet nor daemonset', edit: (d) => { d.defaults.cadvisor.source = 'both'; }, expect: [/environments\.prod\.cadvisor\.source: "both" must be one of kubelet, daemonset/, /write "kubelet" or "daemonset"/] },
  { name: 'node-exporter web auth without a Secret', edit: (d) => { d.defaults.nodeExporter.webAuth = { secret: '', username: 'nanoe' }; }, expect: [/nodeExporter\.webAuth\.secret: "" is missing/] },
  { name: 'metrics mode not lean or full', edit: (d) => { d.defaults.metrics = 'minimal'; }, expect: [/environments\.dev\.metrics: "minimal" must be one of lean, full/, /write "lean" or "full"/] },
  { name: 'default deny switched off', edit: (d) => { d.defaults.network.defaultDeny = false; }, expect: [/network\.defaultDeny: false would leave every pod of the stack open/, /keep it true/] },
  { name: 'Grafana exposed without TLS secret', edit: (d) => { d.defaults.grafana.ingressTlsSecret = ''; }, expect: [/grafana\.ingressTlsSecret: "" is missing/] },
  { name: 'no environments', edit: (d) => { d.environments = {}; }, expect: [/environments: \{\} must list at least one environment/] },
  // Durations, quantities and sizes (issue 12): what Prometheus or Kubernetes would refuse.
  { name: 'duration units out of order (30s1m)', edit: (d) => { d.defaults.prometheus.scrapeInterval = '30s1m'; }, expect: [/environments\.dev\.prometheus\.scrapeInterval: "30s1m" is not a Prometheus duration/, /units from largest to smallest/] },
  { name: 'duration units out of order (30m1h)', edit: (d) => { d.environments.prod.prometheus.retentionTime = '30m1h'; }, expect: [/environments\.prod\.prometheus\.retentionTime: "30m1h" is not a Prometheus duration/] },
  { name: 'zero retention size', edit: (d) => { d.defaults.prometheus.retentionSize = '0GB'; }, expect: [/retentionSize: "0GB" is zero, which Prometheus reads as "no size limit"/, /"45GB"/] },
  { name: 'zero storage', edit: (d) => { d.defaults.alertmanager.storage = '0'; }, expect: [/alertmanager\.storage: "0" is below 1Mi/, /"10Gi"/] },
  { name: 'scrape interval longer than half a rate window', edit: (d) => { d.defaults.prometheus.scrapeInterval = '10m'; }, expect: [/prometheus\.scrapeInterval: "10m" is more than half the shortest rate window \[5m\]/, /can never fire/, /at most 2m30s/] },
  { name: 'evaluation interval longer than a for:', edit: (d) => { d.defaults.prometheus.evaluationInterval = '2m'; }, expect: [/prometheus\.evaluationInterval: "2m" is longer than the shortest for: 1m/, /at most 1m/] },
  { name: 'Flux interval in days', edit: (d) => { d.defaults.gitops.flux = { gitRepository: 'r', namespace: 'flux-system', interval: '1d' }; }, expect: [/gitops\.flux\.interval: "1d" is not a Go duration/, /there is no "d"/] },
  // Names, ports, hosts, images.
  { name: 'port name that is a number', edit: (d) => { d.defaults.backend.api.portName = '8000'; }, expect: [/backend\.api\.portName: "8000" is not a Kubernetes port name: it has no letter/, /"http"/] },
  { name: 'port name over 15 characters', edit: (d) => { d.defaults.backend.api.portName = 'metrics-endpoint1'; }, expect: [/portName: "metrics-endpoint1" is not a Kubernetes port name: it is longer than 15/] },
  { name: 'label key over 63 characters', edit: (d) => { d.defaults.backend.api.podLabels = { ['k'.repeat(64)]: 'x' }; }, expect: [/backend\.api\.podLabels\.k{64}: "k{64}" is not a valid label key/, /at most 63/] },
  { name: 'mounted Secret name that makes a volume name over 63 characters', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ credentialsSecret: 's'.repeat(60) })]; }, expect: [/remoteWrite\[0\]\.credentialsSecret: "s{60}" is mounted as the volume "secret-s{60}", longer than the 63/, /at most 56/] },
  { name: 'host given as a URL', edit: (d) => { d.environments.prod.grafana.ingressHost = 'https://grafana.example.com'; }, expect: [/environments\.prod\.grafana\.ingressHost: "https:\/\/grafana\.example\.com" is a URL, not a host name/, /no https:\/\/, port or path/] },
  { name: 'host with a port', edit: (d) => { d.environments.prod.grafana.ingressHost = 'grafana.example.com:443'; }, expect: [/ingressHost: "grafana\.example\.com:443" has a port/] },
  { name: 'upper-case image path', edit: (d) => { d.defaults.grafana.image = 'docker.io/Grafana/grafana:13.2.3'; }, expect: [/grafana\.image: "docker\.io\/Grafana\/grafana:13\.2\.3" is not an image reference: it has "Grafana" in its repository path/, /lower-case path/] },
  { name: 'malformed image reference', edit: (d) => { d.defaults.grafana.image = 'docker.io/grafana//grafana:13.2.3'; }, expect: [/grafana\.image: .* is not an image reference/] },
  { name: 'CIDR with host bits', edit: (d) => { d.defaults.network.apiServerCidr = '10.1.2.3/8'; }, expect: [/network\.apiServerCidr: "10\.1\.2\.3\/8" has host bits set/, /"10\.0\.0\.0\/8"/] },
  // Regexes and matchers (RE2, PromQL).
  { name: 'invalid relabel regex', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ dropMetrics: ['go_.*(['] })]; }, expect: [/remoteWrite\[0\]\.dropMetrics\[0\]: "go_\.\*\(\[" is not a regular expression Prometheus accepts: it has a "\[" without its closing "\]"/, /RE2 regex/] },
  { name: 'regex with a lookahead (not RE2)', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ dropMetrics: ['go_(?!gc).*'] })]; }, expect: [/dropMetrics\[0\]: "go_\(\?!gc\)\.\*" .* has the lookaround "\(\?!"/, /no lookarounds or backreferences/] },
  { name: 'regex with a backreference (not RE2)', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ dropMetrics: ['(a)\\1'] })]; }, expect: [/dropMetrics\[0\]: .* has the backreference "\\1"/] },
  { name: 'invalid federation matcher', edit: (d) => { d.environments.prod.prometheus.federation.match = ['up{{']; }, expect: [/prometheus\.federation\.match\[0\]: "up\{\{" is not PromQL: syntax error/, /series selector/] },
  { name: 'federation matcher with a bad regex', edit: (d) => { d.environments.prod.prometheus.federation.match = ['{__name__=~"job:.*("}']; }, expect: [/federation\.match\[0\]: .* has the regex "job:\.\*\(" that has a "\(" without its closing "\)"/] },
  { name: 'federation match that is not a selector', edit: (d) => { d.environments.prod.prometheus.federation.match = ['rate(up[5m])']; }, expect: [/federation\.match\[0\]: "rate\(up\[5m\]\)" is not one series selector/] },
  // Cron, backup sizing, duplicates.
  { name: 'cron schedule that never fires', edit: (d) => { d.defaults.backup.schedule = '0 0 31 2 *'; }, expect: [/backup\.schedule: "0 0 31 2 \*" never fires/, /"0 0 28 2 \*"/] },
  { name: 'backup volume below the sizing rule', edit: (d) => { d.defaults.backup.storage.prometheus = '40Gi'; }, expect: [/environments\.dev\.backup\.storage\.prometheus: "40Gi" is smaller than \(keep \+ 1\) × prometheus\.retentionSize = \(3 \+ 1\) × 16GB/, /at least 64Gi/] },
  { name: 'duplicate remote-write names', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({}), rw({})]; }, expect: [/prometheus\.remoteWrite\[1\]\.name: "mimir" is the name of another remote-write endpoint too/, /a name of its own/] },
  { name: 'manifestsPath typo', edit: (d) => { d.defaults.backend.manifestsPath = 'backned'; }, expect: [/environments\.dev\.backend\.manifestsPath: "backned" \(.*backned\) does not exist/, /Postgres and Redis manifests/] },
  { name: 'manifestsPath without YAML files', edit: (d) => { d.defaults.backend.manifestsPath = 'docs'; }, expect: [/backend\.manifestsPath: "docs" .* holds no \.yaml files, so no database would get an exporter/] },
  // Namespace collisions.
  { name: 'node agents in kube-system', edit: (d) => { d.defaults.nodeAgentsNamespace = 'kube-system'; }, expect: [/nodeAgentsNamespace: "kube-system" is also a Kubernetes system namespace/, /"monitoring-node-agents"/] },
  { name: 'node agents in the backend namespace', edit: (d) => { d.defaults.nodeAgentsNamespace = 'nanoe'; }, expect: [/nodeAgentsNamespace: "nanoe" is also backend\.namespace/] },
  { name: 'stack in the API namespace', edit: (d) => { d.defaults.backend.api.namespace = 'api'; d.defaults.namespace = 'api'; }, expect: [/environments\.dev\.namespace: "api" is also backend\.api\.namespace \(the API pods\)/] },
  { name: 'stack in the ingress controller namespace', edit: (d) => { d.defaults.namespace = 'ingress-nginx'; }, expect: [/namespace: "ingress-nginx" is also network\.ingress\.controller\.namespace/] },
  // Secrets (never in dist/) and tricks.
  { name: 'credentials in a remote-write URL', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ url: 'https://user:CANARY-rw@mimir.example.com/api/v1/push' })]; }, expect: [/remoteWrite\[0\]\.url: "https:\/\/\*\*\*@mimir\.example\.com\/api\/v1\/push" holds a credential/, /Kubernetes Secret/], secret: 'CANARY-rw' },
  { name: 'token in a remote-write URL query', edit: (d) => { d.defaults.prometheus.remoteWrite = [rw({ url: 'https://mimir.example.com/push?api_key=CANARY-q' })]; }, expect: [/remoteWrite\[0\]\.url: "https:\/\/mimir\.example\.com\/push\?api_key=\*\*\*" holds a credential \(query parameter "api_key"\)/], secret: 'CANARY-q' },
  { name: 'credentials in the S3 endpoint', edit: (d) => { d.defaults.backup.s3 = { endpoint: 'https://AKIA:CANARY-s3@s3.example.com', bucket: 'b-1', region: 'r', credentialsSecret: 's3', egressCidr: '0.0.0.0/0' }; }, expect: [/backup\.s3\.endpoint: "https:\/\/\*\*\*@s3\.example\.com" holds a credential/], secret: 'CANARY-s3' },
  { name: 'token in the Argo CD repository URL', edit: (d) => { d.defaults.gitops.argoCd = { repoUrl: 'https://x-token:CANARY-git@git.example.com/m.git', revision: 'main', project: 'default', namespace: 'argocd' }; }, expect: [/gitops\.argoCd\.repoUrl: "https:\/\/\*\*\*@git\.example\.com\/m\.git" holds a credential/], secret: 'CANARY-git' },
  { name: '__proto__ key', edit: (d) => { d.defaults.grafana = { ...d.defaults.grafana, ['__proto__']: { adminPassword: 'CANARY-proto' } }; }, expect: [/defaults\.grafana\.__proto__: "\*\*\*" is a key JavaScript treats as an object prototype/, /remove it/], secret: 'CANARY-proto' },
];

describe('a bad config fails synth with an error naming field, value and fix', () => {
  test.each(CASES)('$name', ({ edit, env, expect: patterns, secret }) => {
    const configFile = configWith(edit);
    let error: unknown;
    try {
      buildEnvironments({ root: ROOT, configFile, environments: env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const p of patterns) expect((error as Error).message).toMatch(p);
    if (secret) expect((error as Error).message).not.toContain(secret); // the message does not repeat the secret either
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
    expect([dev.config.prometheus.image, dev.config.grafana.image, dev.config.cadvisor.image, dev.config.backend.redis.image, dev.config.backup.images.python])
      .toEqual([table.prometheus.image, table.grafana.image, table.cadvisor.image, table.redisExporter.image, table.python.image]);
  });
});

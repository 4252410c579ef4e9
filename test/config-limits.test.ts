/**
 * Issue 14, item 1: the configuration limits the README states, each tested just inside and just
 * outside (sizes in both unit systems, the retention share, requests against limits, integer ranges)
 * and the refusals it lists. Only the config layer is loaded (no synth), so these tests are quick and
 * the mutation run (`npm run mutate`) credits each kill to the test that names the limit.
 */
import { ConfigError } from '../lib/config/errors';
import { parsePrometheusSize, parseQuantityBytes } from '../lib/config/units';
import { resolveWith } from './support/refusal';

/** The ConfigError message `edit` produces, or undefined when the config is accepted. */
function refusal(edit: (d: any) => void, name = 'dev'): string | undefined {
  try {
    resolveWith(edit, name);
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
}
const GiB = 2 ** 30;

describe('Prometheus sizes are powers of 1024; Kubernetes quantities both decimal and binary', () => {
  test('Prometheus reads GB as 2^30 bytes (and KB, MB, TB, PB as powers of 1024), B as bytes', () => {
    expect(['1B', '1KB', '1MB', '1GB', '1TB', '1PB', '45GB'].map((v) => parsePrometheusSize('f', v)))
      .toEqual([1, 2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 45 * 2 ** 30]);
  });

  test('Kubernetes quantities: k M G T P are powers of 1000, Ki Mi Gi Ti Pi powers of 1024, no suffix is bytes', () => {
    expect(['1', '1k', '1M', '1G', '1T', '1P'].map((v) => parseQuantityBytes('f', v))).toEqual([1, 1e3, 1e6, 1e9, 1e12, 1e15]);
    expect(['1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1.5Gi'].map((v) => parseQuantityBytes('f', v))).toEqual([2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 1.5 * 2 ** 30]);
  });

  test('malformed sizes and quantities are refused, each naming the expected form', () => {
    for (const bad of ['16Gi', '16 GB', '16gb', '1.5GB', 'GB', '', '16G']) expect(() => parsePrometheusSize('f', bad)).toThrow(/is not a Prometheus size.*powers of 1024/);
    for (const bad of ['10 gigs', '1Gb', 'Gi', '-1Gi', '1e3', '']) expect(() => parseQuantityBytes('f', bad)).toThrow(/is not a Kubernetes quantity/);
    expect(() => parsePrometheusSize('f', 16)).toThrow(/is not a Prometheus size/);
  });
});

describe('retention may use at most 80% of the Prometheus volume (20% stays free for the WAL and compaction)', () => {
  // The backup volume is made large enough that only the retention share can refuse.
  const retention = (storage: string, retentionSize: string) => refusal((d) => {
    d.defaults.prometheus.storage = storage; d.defaults.prometheus.retentionSize = retentionSize; d.defaults.backup.storage.prometheus = '2Ti';
  });

  test('binary storage: 16GB of 20Gi is exactly 80% and accepted; 17GB is refused', () => {
    expect(retention('20Gi', '16GB')).toBeUndefined();
    expect(retention('20Gi', '17GB')).toMatch(/retentionSize: "17GB" must leave 20% of storage "20Gi" free for the WAL and compaction — lower retentionSize to at most 16GB or raise storage/);
  });

  test('the limit is exact to the byte: 80% of 100Gi is 81920MB (accepted), 81921MB is refused', () => {
    expect(retention('100Gi', '81920MB')).toBeUndefined();
    expect(retention('100Gi', '81921MB')).toMatch(/must leave 20% of storage "100Gi" free/);
    expect(retention('100Gi', '80GB')).toBeUndefined();
    expect(retention('100Gi', '81GB')).toMatch(/lower retentionSize to at most 80GB/);
  });

  test('decimal storage: 100G is 93.1 GiB, so at most 74GB (74.5 GiB is 80%); 75GB is refused', () => {
    expect(retention('100G', '74GB')).toBeUndefined();
    expect(retention('100G', '75GB')).toMatch(/retentionSize: "75GB" must leave 20% of storage "100G" free .* at most 74GB/);
    expect(Math.floor((parseQuantityBytes('f', '100G') * 0.8) / GiB)).toBe(74);
  });

  test('the refusal names the environment that breaks the limit (prod: 100Gi, 80GB is the most)', () => {
    expect(refusal((d) => { d.environments.prod.prometheus.retentionSize = '81GB'; }, 'prod')).toMatch(/^environments\.prod\.prometheus\.retentionSize: "81GB"/);
    expect(refusal(() => {}, 'prod')).toBeUndefined();
  });
});

describe('requests may not exceed limits, compared across unit systems', () => {
  const mem = (request: string, limit: string) => refusal((d) => { d.defaults.grafana.resources.requests.memory = request; d.defaults.grafana.resources.limits.memory = limit; });
  const cpu = (request: unknown, limit: unknown) => refusal((d) => { d.defaults.grafana.resources.requests.cpu = request; d.defaults.grafana.resources.limits.cpu = limit; });

  test('memory: a request equal to the limit is accepted, one byte more is refused, whatever the suffix', () => {
    expect(mem('128Mi', '128Mi')).toBeUndefined();
    expect(mem('134217728', '128Mi')).toBeUndefined();
    expect(mem('134217729', '128Mi')).toMatch(/grafana\.resources\.requests\.memory: "134217729" is above the limit "128Mi" — lower the request or raise the limit/);
    expect(mem('1G', '1Gi')).toBeUndefined();
    expect(mem('1Gi', '1G')).toMatch(/requests\.memory: "1Gi" is above the limit "1G"/);
  });

  test('CPU: 500m equals 0.5 (accepted), 501m is above it; whole cores may be written as numbers', () => {
    expect(cpu('500m', '0.5')).toBeUndefined();
    expect(cpu('0.5', '500m')).toBeUndefined();
    expect(cpu('501m', '0.5')).toMatch(/grafana\.resources\.requests\.cpu: "501m" is above the limit "0.5"/);
    expect(cpu(1, 1)).toBeUndefined();
    expect(cpu(2, '1999m')).toMatch(/requests\.cpu: 2 is above the limit "1999m"/);
  });
});

describe('refusals the README lists', () => {
  const exposure = { host: 'prometheus.example.com', tlsSecret: 'prometheus-tls', authSecret: 'prometheus-web-auth', username: 'nanoe' };
  const remoteWrite = (url: string, credentialsSecret: string | null) => ({
    name: 'mimir', url, egress: { cidr: '192.0.2.10/32', port: 443 }, basicAuthUsername: credentialsSecret ? 'tenant' : null,
    credentialsSecret, dropMetrics: [], queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000 },
  });

  test('exposure without an auth Secret is refused (Prometheus and Alertmanager); with one it is accepted', () => {
    expect(refusal((d) => { d.defaults.prometheus.exposure = { ...exposure, authSecret: '' }; })).toMatch(/prometheus\.exposure\.authSecret: "" is missing/);
    expect(refusal((d) => { d.defaults.alertmanager.exposure = { ...exposure, authSecret: null }; })).toMatch(/alertmanager\.exposure\.authSecret: null is missing/);
    expect(refusal((d) => { const { authSecret, ...rest } = exposure; void authSecret; d.defaults.prometheus.exposure = rest; })).toMatch(/prometheus\.exposure\.authSecret: undefined is missing/);
    expect(refusal((d) => { d.defaults.prometheus.exposure = exposure; d.defaults.alertmanager.exposure = exposure; })).toBeUndefined();
  });

  test('credentials over plain http are refused; plain http without credentials, and https with them, are accepted', () => {
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [remoteWrite('http://mimir.example.com/api/v1/push', 'mimir-credentials')]; }))
      .toMatch(/remoteWrite\[0\]\.url: "http:\/\/mimir\.example\.com\/api\/v1\/push" sends credentials over plain http — use an https:\/\/ URL/);
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [remoteWrite('http://mimir.example.com/api/v1/push', null)]; })).toBeUndefined();
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [remoteWrite('https://mimir.example.com/api/v1/push', 'mimir-credentials')]; })).toBeUndefined();
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [remoteWrite('ftp://mimir.example.com/', null)]; })).toMatch(/url: "ftp:\/\/mimir\.example\.com\/" is not an http\(s\) URL/);
    expect(refusal((d) => { d.defaults.backup.s3 = { endpoint: 'http://s3.example.com', bucket: 'nanoe-backups', region: 'eu', credentialsSecret: 's3', egressCidr: '0.0.0.0/0' }; }))
      .toMatch(/backup\.s3\.endpoint: "http:\/\/s3\.example\.com" sends credentials over plain http/);
  });

  test('a remote-write entry that is not a map, or has no credentialsSecret, is refused for that; queue limits name their fix', () => {
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [null]; })).toMatch(/^environments\.dev\.prometheus\.remoteWrite\[0\]: null must be a map/);
    const { credentialsSecret, ...noSecret } = remoteWrite('http://mimir.example.com/api/v1/push', null);
    void credentialsSecret;
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [noSecret]; })).toMatch(/remoteWrite\[0\]\.credentialsSecret: undefined is missing/);
    const queue = (q: Record<string, number>) => refusal((d) => { d.defaults.prometheus.remoteWrite = [{ ...remoteWrite('https://m.example.com/', null), queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000, ...q } }]; });
    expect(queue({ capacity: 0 })).toMatch(/queue\.capacity: 0 must be a whole number from 1 to 1000000 — use e\.g\. 10000$/);
    expect(queue({ maxShards: 1001 })).toMatch(/queue\.maxShards: 1001 must be a whole number from 1 to 1000 — use e\.g\. 50$/);
    expect(queue({ maxSamplesPerSend: 100001 })).toMatch(/queue\.maxSamplesPerSend: 100001 must be a whole number from 1 to 100000 — use e\.g\. 2000$/);
  });

  test('the node agents in the stack namespace, and the stack in the backend namespace, are refused', () => {
    expect(refusal((d) => { d.defaults.nodeAgentsNamespace = 'monitoring'; })).toMatch(/nodeAgentsNamespace: "monitoring" equals namespace/);
    expect(refusal((d) => { d.defaults.namespace = 'nanoe'; })).toMatch(/namespace: "nanoe" equals backend\.namespace/);
  });

  test('integer limits are inclusive: replicas 1 and 10 are accepted, 0 and 11 are refused; ports 1 and 65535, not 0 and 65536', () => {
    const replicas = (n: unknown) => refusal((d) => { d.defaults.prometheus.replicas = n; });
    expect([replicas(1), replicas(10)]).toEqual([undefined, undefined]);
    expect(replicas(0)).toMatch(/replicas: 0 must be a whole number from 1 to 10/);
    expect(replicas(11)).toMatch(/replicas: 11 must be a whole number from 1 to 10/);
    expect(replicas(1.5)).toMatch(/replicas: 1.5 must be a whole number/);
    const port = (n: unknown) => refusal((d) => { d.defaults.cadvisor.port = n; });
    expect([port(1), port(65535)]).toEqual([undefined, undefined]);
    expect(port(0)).toMatch(/cadvisor\.port: 0 must be a whole number from 1 to 65535/);
    expect(port(65536)).toMatch(/cadvisor\.port: 65536 must be a whole number from 1 to 65535/);
  });
});


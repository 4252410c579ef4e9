/**
 * Smoke test of the e2e harness: starts every real daemon on 127.0.0.1,
 * scrapes them with a real Prometheus, routes one alert through a real
 * Alertmanager to the in-process webhook, and checks everything is gone after
 * stop. Needs the Debian packages from `scripts/setup-test-deps.sh`.
 */
import { Gauge } from 'prom-client';
import {
  checkBinaries,
  isPortOpen,
  staticScrapeConfig,
  startAlertmanager,
  startApiStandin,
  startExporters,
  startPostgres,
  startPrometheus,
  startRedis,
  startWebhook,
  webhookAlertmanagerConfig,
  type AlertmanagerHandle,
  type ApiStandinHandle,
  type Exporters,
  type Handle,
  type PostgresHandle,
  type PrometheusHandle,
  type RedisHandle,
  type WebhookHandle,
} from './harness';

jest.setTimeout(120_000);

const RULES = `
groups:
  - name: harness-smoke
    rules:
      - alert: HarnessSmoke
        expr: harness_smoke_flag == 1
        labels:
          severity: info
        annotations:
          summary: harness smoke alert
`;

let webhook: WebhookHandle | undefined;
let am: AlertmanagerHandle | undefined;
let pg: PostgresHandle | undefined;
let redis: RedisHandle | undefined;
let api: ApiStandinHandle | undefined;
let exporters: Exporters | undefined;
let prom: PrometheusHandle | undefined;
let flag: Gauge | undefined;

/** Every started daemon, in start order; stopped in reverse. */
const started: Array<{ name: string; handle: Handle }> = [];
const timings: Record<string, number> = {};

function track<T extends Handle>(name: string, handle: T, startupMs?: number): T {
  started.push({ name, handle });
  if (startupMs !== undefined) timings[name] = startupMs;
  return handle;
}

async function stopAll(): Promise<string[]> {
  const errors: string[] = [];
  for (const { name, handle } of [...started].reverse()) {
    try {
      await handle.stop();
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  return errors;
}

const startedAt = Date.now();

beforeAll(async () => {
  checkBinaries(); // clear "run scripts/setup-test-deps.sh" message when something is missing

  // Independent daemons in parallel; each registers itself as soon as it is up,
  // so afterAll stops whatever did start even if a sibling failed.
  const t = Date.now();
  const results = await Promise.allSettled([
    startWebhook().then((h) => (webhook = track('webhook', h, Date.now() - t))),
    startPostgres().then((h) => {
      timings['postgres initdb'] = h.initdbMs;
      return (pg = track('postgres', h, h.startupMs));
    }),
    startRedis().then((h) => (redis = track('redis', h, h.startupMs))),
    startApiStandin().then((h) => (api = track('api-standin', h, h.startupMs))),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  timings['phase 1 (webhook, postgres, redis, api) wall'] = Date.now() - t;

  flag = new Gauge({ name: 'harness_smoke_flag', help: 'drives the HarnessSmoke alert', registers: [api!.registry] });
  flag.set(0);

  const t2 = Date.now();
  const results2 = await Promise.allSettled([
    startExporters({ postgresDsn: pg!.dsn(), redisAddr: redis!.url }).then((e) => {
      exporters = e;
      track('node-exporter', e.node, e.node.startupMs);
      track('postgres-exporter', e.postgres, e.postgres.startupMs);
      track('redis-exporter', e.redis, e.redis.startupMs);
      return e;
    }),
    startAlertmanager({ config: webhookAlertmanagerConfig(webhook!.receiverUrl) }).then(
      (h) => (am = track('alertmanager', h, h.startupMs)),
    ),
  ]);
  const failed2 = results2.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed2) throw failed2.reason;
  timings['phase 2 (exporters, alertmanager) wall'] = Date.now() - t2;

  prom = track(
    'prometheus',
    await startPrometheus({
      // The self-scrape target is Prometheus's own address, known once its port is chosen.
      config: (self) =>
        staticScrapeConfig({
          prometheus: [self],
          node: [exporters!.node.address],
          postgres: [exporters!.postgres.address],
          redis: [exporters!.redis.address],
          api: [api!.address],
        }),
      rules: { 'smoke.rules.yml': RULES },
      alertmanagers: [am!.address],
    }),
  );
  timings.prometheus = prom.startupMs;
});

afterAll(async () => {
  const errors = await stopAll();
  const total = Date.now() - startedAt;
  // eslint-disable-next-line no-console
  console.log(
    `e2e harness timings (ms): ${Object.entries({ ...timings, 'total test': total })
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  if (errors.length) throw new Error(`errors while stopping daemons:\n${errors.join('\n')}`);
});

test('every target is scraped and up', async () => {
  const t = Date.now();
  const targets = await prom!.waitForTargetsUp({ count: 5, timeoutMs: 30_000 });
  expect(targets.map((x) => x.labels.job).sort()).toEqual(['api', 'node', 'postgres', 'prometheus', 'redis']);
  const up = await prom!.waitFor('up == 1', (s) => s.length === 5, 15_000);
  expect(up.map((s) => s.metric.job).sort()).toEqual(['api', 'node', 'postgres', 'prometheus', 'redis']);
  timings['all targets up'] = Date.now() - t;
});

test('real series exist', async () => {
  await api!.generateTraffic({ rps: 50, seconds: 1 });
  const [pgUp, redisUp, cpu, reqs] = await Promise.all([
    prom!.waitFor('pg_up'),
    prom!.waitFor('redis_up'),
    prom!.waitFor('node_cpu_seconds_total'),
    prom!.waitFor('sum(http_requests_total)', (s) => s.length === 1 && s[0].value >= 50),
  ]);
  expect(pgUp[0].value).toBe(1);
  expect(redisUp[0].value).toBe(1);
  expect(cpu.length).toBeGreaterThan(0);
  expect(reqs[0].value).toBeGreaterThanOrEqual(50);
  await prom!.waitFor('process_resident_memory_bytes{job="api"}');
  // Prometheus 3 stores classic-histogram `le` values in float form: the bucket 1 is le="1.0".
  await prom!.waitFor('http_request_duration_seconds_bucket{job="api", le="1.0"}');
});

test('postgres, redis and api helpers drive the exporters', async () => {
  await pg!.workload({ inserts: 50, updates: 10, deletes: 5, selects: 5, rollbacks: 2 });
  expect(await pg!.sql('SELECT count(*) FROM orders')).toBe('145');
  const tx = await pg!.openTransaction();
  expect(tx.backendPid).toBeGreaterThan(0);

  await redis!.cli('SET', 'nanoe:smoke', 'yes');
  expect(await redis!.cli('GET', 'nanoe:smoke')).toBe('yes');
  expect(await redis!.pipeline([['INCR', 'nanoe:n'], ['INCR', 'nanoe:n']])).toEqual(['1', '2']);

  api!.setErrorFraction(0.5);
  const traffic = await api!.generateTraffic({ rps: 40, seconds: 1 });
  api!.setErrorFraction(0);
  expect(traffic).toMatchObject({ sent: 40, ok: 20, errors: 20, failed: 0 });

  await Promise.all([
    prom!.waitFor('sum(pg_stat_database_tup_inserted{datname="nanoe"})', (s) => s[0]?.value >= 150),
    prom!.waitFor('sum(pg_stat_database_xact_rollback{datname="nanoe"})', (s) => s[0]?.value >= 2),
    prom!.waitFor('max(pg_stat_activity_max_tx_duration{datname="nanoe"})', (s) => s[0]?.value > 0),
    prom!.waitFor('sum(redis_db_keys)', (s) => s[0]?.value >= 2),
    prom!.waitFor('sum(http_requests_total{code=~"5.."})', (s) => s[0]?.value >= 20),
  ]);
  await tx.close();
});

test('an alert goes Prometheus -> Alertmanager -> webhook, firing then resolved', async () => {
  const t = Date.now();
  flag!.set(1);
  const firing = await webhook!.waitForAlert('HarnessSmoke', 'firing', 30_000);
  expect(firing.labels.severity).toBe('info');
  timings['alert firing at webhook'] = Date.now() - t;
  expect((await am!.alerts()).some((a) => a.labels.alertname === 'HarnessSmoke')).toBe(true);
  const t2 = Date.now();
  flag!.set(0);
  await webhook!.waitForAlert('HarnessSmoke', 'resolved', 30_000);
  timings['alert resolved at webhook'] = Date.now() - t2;
});

test('stop() closes every port', async () => {
  const ports = started.map(({ name, handle }) => ({ name, port: handle.port }));
  expect(ports).toHaveLength(9);
  const t = Date.now();
  const errors = await stopAll();
  timings['stop all'] = Date.now() - t;
  expect(errors).toEqual([]);
  const stillOpen: string[] = [];
  for (const { name, port } of ports) if (await isPortOpen(port)) stillOpen.push(`${name}:${port}`);
  expect(stillOpen).toEqual([]);
});

/**
 * Issue 16, point 1, with the real Prometheus: a compromised API pod cannot starve or forge alerting.
 * The dev environment's generated scrape jobs and rules (localized like the stack test: static
 * targets on 127.0.0.1, 1 s intervals, short `for:`) scrape a postgres-exporter stand-in that is
 * healthy (`pg_up 1`) and an API stand-in whose /metrics is
 *   1. forged: `pg_up 0`, `redis_up 0`, `up 0`, a recorded `job:nanoe_api_request_errors:ratio_rate5m 1`
 *      and forged node memory series — PostgresDown, RedisDown, HighErrorRate and HighMemoryUsage
 *      must not fire (before issue 16, `pg_up == 0` fired PostgresDown from the API's own /metrics);
 *   2. oversized: 60,000 samples, over the API job's sample_limit — the scrape is refused, `up` is 0,
 *      InstanceDown fires for job nanoe-api and Prometheus keeps answering.
 */
import * as http from 'node:http';
import { resolve } from 'node:path';
import { buildEnvironments } from '../../lib/output/synth';
import { API_JOB, SCRAPE_LIMITS } from '../../lib/components/stack';
import { listenOnLoopback, sleep, startPrometheus, type PrometheusHandle } from './harness';
import { generatedPrometheus, localizeConfig, localizeRules } from './local-stack';

jest.setTimeout(120_000);
const ROOT = resolve(__dirname, '..', '..');

const FORGED = [
  'pg_up 0',
  'redis_up 0',
  'up{instance="10.1.0.20:9187",job="postgres-exporter"} 0',
  'job:nanoe_api_request_errors:ratio_rate5m{job="nanoe-api",namespace="nanoe"} 1',
  'node_memory_MemTotal_bytes 1000',
  'node_memory_MemAvailable_bytes 1',
  'http_requests_total{code="200"} 1',
  '',
].join('\n');
const OVERSIZED = Array.from({ length: 60_000 }, (_, i) => `nanoe_flood_total{i="${i}"} ${i}`).join('\n') + '\n';

let mode: 'forged' | 'oversized' = 'forged';
let api: http.Server;
let pgStandin: http.Server;
let prometheus: PrometheusHandle;

async function serve(body: () => string): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body());
  });
  const { port } = await listenOnLoopback(server);
  return { server, address: `127.0.0.1:${port}` };
}

const alertsNamed = async (name: string) => (await prometheus.alerts()).filter((a) => a.labels.alertname === name);

beforeAll(async () => {
  const dev = buildEnvironments({ root: ROOT, environments: ['dev'] })[0];
  expect(SCRAPE_LIMITS.api.sampleLimit).toBeLessThan(60_000);
  const generated = generatedPrometheus(dev);
  const a = await serve(() => (mode === 'forged' ? FORGED : OVERSIZED));
  const pg = await serve(() => 'pg_up 1\n');
  api = a.server;
  pgStandin = pg.server;
  const unused = '127.0.0.1:1';
  const forOf = { PostgresDown: '2s', RedisDown: '2s', HighErrorRate: '2s', HighMemoryUsage: '2s', InstanceDown: '2s' };
  prometheus = await startPrometheus({
    config: (self) => localizeConfig(generated.config, {
      prometheus: self, alertmanager: unused, nodeExporter: unused, postgresExporter: pg.address, redisExporter: unused, api: a.address,
    }, Object.keys(generated.ruleFiles)).config,
    rules: localizeRules(generated.ruleFiles, forOf).rules,
  });
});

afterAll(async () => {
  await prometheus?.stop();
  api?.close();
  pgStandin?.close();
});

test('forged exporter series from the API are stored under its own job and fire nothing', async () => {
  // The forgery arrives (under job nanoe-api); the old, job-less expression would have fired.
  await prometheus.waitFor(`pg_up{job="${API_JOB}"} == 0`, undefined, 30_000);
  expect(await prometheus.query('pg_up == 0')).not.toHaveLength(0);
  // The target's own `up`, `ALERTS` and recorded series are dropped before they are stored.
  await prometheus.waitFor(`up{job="${API_JOB}"} == 1`, undefined, 15_000);
  expect(await prometheus.query('up{job="postgres-exporter"} == 0')).toEqual([]);
  expect(await prometheus.query(`job:nanoe_api_request_errors:ratio_rate5m{instance!=""}`)).toEqual([]);
  // Several times the shortened `for:` and evaluation interval later, still nothing fired.
  await sleep(8_000);
  for (const name of ['PostgresDown', 'RedisDown', 'HighErrorRate', 'HighMemoryUsage']) expect({ name, alerts: await alertsNamed(name) }).toEqual({ name, alerts: [] });
  expect(await alertsNamed('InstanceDown').then((as) => as.filter((x) => x.labels.job === 'postgres-exporter' || x.labels.job === API_JOB))).toEqual([]);
});

test('an oversized scrape is refused: up 0, InstanceDown for the API job, Prometheus keeps answering', async () => {
  mode = 'oversized';
  await prometheus.waitFor(`up{job="${API_JOB}"} == 0`, undefined, 30_000);
  await prometheus.waitFor(`ALERTS{alertname="InstanceDown",job="${API_JOB}",alertstate="firing"}`, undefined, 30_000);
  expect(await prometheus.queryValue('sum(prometheus_target_scrapes_exceeded_sample_limit_total)')).toBeGreaterThan(0);
  expect(await prometheus.query('count({__name__="nanoe_flood_total"})')).toEqual([]);
  expect(await prometheus.queryValue(`up{job="prometheus"}`)).toBe(1);
});

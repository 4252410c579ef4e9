/**
 * High availability of alerting, proven with the pinned programs on 127.0.0.1 (issue 10):
 *   - two Prometheus replicas with the PROD environment's generated config and rules (localized like
 *     local-stack.ts does: static targets, 1 s intervals, short `for:` of the alerts under test), each
 *     with its own `replica` external label, both sending to every member of
 *   - a 3-member Alertmanager cluster gossiping on 127.0.0.1, routing like the shipped example
 *     (Watchdog to its own dead-man's-switch receiver, everything else to the pager);
 *   - Watchdog, HighErrorRate and InstanceDown each reach their webhook exactly once; one member is
 *     stopped before InstanceDown fires and the two left still deliver it exactly once;
 *   - a target removed from discovery (file_sd stands in for Kubernetes discovery) fires its generated
 *     TargetAbsent alert, once;
 *   - a global Prometheus running the generated federation job (per-replica targets) sees each series
 *     once per replica, with a stable identity and no gaps;
 *   - a Prometheus whose basic-auth password holds every ASCII punctuation character (`/?#%@:` and the
 *     rest) scrapes itself with it and reloads changed rules by itself (auto-reload-config).
 * The test prints what each webhook received. Aim: under ~90 s on 2 cores.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { buildEnvironments } from '../../lib/output/synth';
import {
  HOST,
  checkBinaries,
  findBinary,
  freePort,
  httpRequest,
  listenOnLoopback,
  makeTempDir,
  removeDir,
  sleep,
  startAlertmanager,
  startApiStandin,
  startDaemon,
  startNodeExporter,
  startPrometheus,
  startWebhook,
  waitUntil,
  type AlertmanagerHandle,
  type PrometheusHandle,
  type WebhookHandle,
} from './harness';
import { generatedPrometheus, localizeConfig, localizeRules, LOCAL_FOR, SKIPPED_JOBS } from './local-stack';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '..', '..');
const started = Date.now();
const log = (line: string) => console.log(`[ha ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

/** `for:` of the alerts this test drives (local copy only; expressions unchanged). */
const FOR = { ...LOCAL_FOR, Watchdog: '1s', TargetAbsent: '3s' };

type Json = Record<string, any>;

/** A tiny /metrics server standing in for an exporter this test does not need to run for real. */
async function staticMetrics(text: string): Promise<{ address: string; stop(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text));
  const { port } = await listenOnLoopback(server);
  return {
    address: `${HOST}:${port}`,
    stop: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** Notifications per alert (alertname + labels) and status, over every payload of a webhook. */
function notificationCounts(w: WebhookHandle): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of w.alerts()) {
    const { alertname, ...rest } = a.labels;
    const key = `${alertname}{${Object.entries(rest).sort().map(([k, v]) => `${k}="${v}"`).join(',')}} ${a.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function printWebhook(name: string, w: WebhookHandle): void {
  const lines = w.received().map((p, i) => `  #${i + 1} receiver=${p.receiver} status=${p.status} alerts: ${p.alerts.map((a) => `${a.labels.alertname}{job=${a.labels.job ?? ''},instance=${a.labels.instance ?? ''}${a.labels.replica ? `,replica=${a.labels.replica}` : ''}} ${a.status}`).join('; ')}`);
  console.log(`webhook "${name}" received ${lines.length} notification(s):\n${lines.join('\n') || '  (none)'}`);
}

describe('HA alerting with the prod config (2 Prometheus replicas, 3-member Alertmanager cluster)', () => {
  const stops: Array<() => Promise<void>> = [];
  const track = <T extends { stop(): Promise<void> }>(h: T): T => { stops.push(() => h.stop()); return h; };
  let pager: WebhookHandle;
  let deadman: WebhookHandle;
  let ams: AlertmanagerHandle[] = [];
  let replicas: PrometheusHandle[] = [];
  let global: PrometheusHandle;
  let redisStandin: Awaited<ReturnType<typeof staticMetrics>>;
  let nodeTargetsFile: string;
  let tmp: string;

  beforeAll(async () => {
    checkBinaries();
    tmp = makeTempDir('ha-e2e');
    const prod = buildEnvironments({ root: ROOT, environments: ['prod'] })[0];
    expect(prod.config.prometheus.replicas).toBe(2);
    expect(prod.config.alertmanager.replicas).toBe(3);
    const generated = generatedPrometheus(prod);

    // Receivers and the stand-ins.
    [pager, deadman] = await Promise.all([startWebhook(), startWebhook()]).then((ws) => ws.map(track));
    const api = track(await startApiStandin({ errorFraction: 0.1, latencySeconds: 0.01 }));
    const node = track(await startNodeExporter());
    const pg = track(await staticMetrics('# TYPE pg_up gauge\npg_up 1\n'));
    redisStandin = await staticMetrics('# TYPE redis_up gauge\nredis_up 1\n');
    stops.push(() => redisStandin.stop().catch(() => undefined));
    let trafficOn = true;
    const traffic = (async () => { while (trafficOn) await api.generateTraffic({ rps: 20, seconds: 1 }).catch(() => undefined); })();
    stops.push(async () => { trafficOn = false; await traffic; });

    // The Alertmanager cluster: the route of examples/alertmanager/alertmanager.yml in short.
    const gossip = await Promise.all([0, 1, 2].map(() => freePort()));
    const amConfig = {
      route: {
        receiver: 'pager', group_by: ['alertname', 'job', 'instance'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h',
        routes: [{ receiver: 'deadmans-switch', matchers: ['alertname="Watchdog"'], group_by: ['alertname'], group_wait: '0s', group_interval: '1s', repeat_interval: '1h' }],
      },
      receivers: [
        { name: 'pager', webhook_configs: [{ url: pager.receiverUrl, send_resolved: true }] },
        { name: 'deadmans-switch', webhook_configs: [{ url: deadman.receiverUrl, send_resolved: false }] },
      ],
    };
    ams = await Promise.all(gossip.map((port, i) => startAlertmanager({
      config: amConfig,
      clusterArgs: [
        `--cluster.listen-address=${HOST}:${port}`,
        `--cluster.advertise-address=${HOST}:${port}`,
        ...gossip.filter((_, j) => j !== i).map((p) => `--cluster.peer=${HOST}:${p}`),
        '--cluster.label=monitoring/alertmanager', // as the generated StatefulSet
        // Faster than the defaults (15s, 200ms, 1m) so the test is short; the protocol is the same.
        '--cluster.peer-timeout=2s', '--cluster.gossip-interval=100ms', '--cluster.pushpull-interval=2s', '--cluster.settle-timeout=2s',
      ],
    }).then(track)));
    await waitUntil(async () => {
      const members = await Promise.all(ams.map(async (am) => Number(/^alertmanager_cluster_members (\d+)/m.exec((await httpRequest(`${am.url}/metrics`)).body)?.[1])));
      return members.every((m) => m === 3) ? members : false;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'the 3 Alertmanagers to see each other' });
    log(`Alertmanager cluster up: ${ams.map((a) => a.address).join(', ')} (gossip ${gossip.join(', ')})`);

    // Rules: the generated files, `for:` shortened for the alerts under test.
    const { rules } = localizeRules(generated.ruleFiles, FOR);
    nodeTargetsFile = path.join(tmp, 'node-exporter-targets.json');

    // Two replicas of the generated prod config.
    const startReplica = (i: number) => startPrometheus({
      config: (self) => {
        const local = localizeConfig(generated.config, {
          prometheus: self, alertmanager: ams[1].address, nodeExporter: node.address,
          postgresExporter: pg.address, redisExporter: redisStandin.address, api: api.address,
        }, Object.keys(generated.ruleFiles));
        const c = local.config as Json;
        c.global.external_labels = { ...c.global.external_labels, replica: `prometheus-${i}` }; // the pod name in Kubernetes
        // Prometheus sends to every member (the endpointslice discovery lists every ready pod).
        c.alerting.alertmanagers[0].static_configs = [{ targets: ams.map((a) => a.address) }];
        expect(c.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
        // node-exporter is discovered from a file, so the test can remove it from discovery.
        const nodeJob = c.scrape_configs.find((j: Json) => j.job_name === 'node-exporter');
        fs.writeFileSync(nodeTargetsFile, JSON.stringify(nodeJob.static_configs));
        delete nodeJob.static_configs;
        nodeJob.file_sd_configs = [{ files: [nodeTargetsFile], refresh_interval: '1s' }];
        return c;
      },
      rules,
      // Resend firing alerts every 2 s (default 1m): alerts that fire before the Alertmanagers are
      // discovered reach them quickly, and every member gets each alert from both replicas many times.
      extraArgs: ['--enable-feature=auto-reload-config', '--config.auto-reload-interval=1s', '--rules.alert.resend-delay=2s'],
    }).then(track);
    replicas = await Promise.all([startReplica(0), startReplica(1)]);
    log(`Prometheus replicas: ${replicas.map((p) => p.address).join(', ')}`);

    // The global Prometheus runs the generated federation job against both replicas.
    const fed = prod.stack.prometheus.renderFederationJob() as Json;
    expect(fed.static_configs[0].targets).toEqual(['prometheus-0.prometheus-metrics.monitoring.svc:9090', 'prometheus-1.prometheus-metrics.monitoring.svc:9090']);
    const { basic_auth: _auth, ...fedJob } = fed; // the local replicas run without a web config
    global = track(await startPrometheus({
      config: {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ ...fedJob, static_configs: [{ targets: replicas.map((r) => r.address) }] }],
      },
    }));
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (tmp) removeDir(tmp);
    if (pager) printWebhook('pager', pager);
    if (deadman) printWebhook('deadmans-switch', deadman);
    log('done');
  });

  test('Watchdog and HighErrorRate each reach their webhook exactly once, without the replica label', async () => {
    await deadman.waitForAlert('Watchdog', 'firing', 30_000);
    await pager.waitForAlert('HighErrorRate', 'firing', 40_000);
    // Both replicas keep sending both alerts to all three members; give them time to duplicate.
    await sleep(6_000);
    expect(await Promise.all(replicas.map((r) => r.queryValue('count(ALERTS{alertname=~"Watchdog|HighErrorRate",alertstate="firing"})')))).toEqual([2, 2]);
    const wd = [...notificationCounts(deadman)].filter(([k]) => k.startsWith('Watchdog'));
    const her = [...notificationCounts(pager)].filter(([k]) => k.startsWith('HighErrorRate'));
    expect(wd).toEqual([['Watchdog{environment="prod",severity="info"} firing', 1]]);
    expect(her).toEqual([[expect.stringMatching(/^HighErrorRate\{.*job="nanoe-api".*\} firing$/), 1]]);
    expect(wd[0][0]).not.toContain('replica');
    for (const a of [...pager.alerts(), ...deadman.alerts()]) expect(a.labels.replica).toBeUndefined();
  });

  test('with one Alertmanager member stopped, InstanceDown still reaches the pager exactly once', async () => {
    const stopped = ams[0];
    await stopped.stop();
    log(`stopped Alertmanager member ${stopped.address}; stopping the redis-exporter stand-in`);
    await redisStandin.stop();
    await pager.waitForAlert('InstanceDown', 'firing', 40_000);
    await sleep(6_000);
    const down = [...notificationCounts(pager)].filter(([k]) => k.startsWith('InstanceDown'));
    expect(down).toEqual([[expect.stringMatching(/^InstanceDown\{.*job="redis-exporter".*\} firing$/), 1]]);
  });

  test('a target removed from discovery fires its generated TargetAbsent alert, once', async () => {
    fs.writeFileSync(nodeTargetsFile, '[]');
    log('removed node-exporter from discovery');
    const isNodeAbsent = (a: { labels: Record<string, string>; status: string }) => a.labels.alertname === 'TargetAbsent' && a.labels.job === 'node-exporter' && a.status === 'firing';
    await waitUntil(async () => pager.alerts().some(isNodeAbsent), { timeoutMs: 40_000, intervalMs: 250, what: 'TargetAbsent{job="node-exporter"} at the pager' });
    await sleep(4_000);
    // (The jobs that cannot run here, SKIPPED_JOBS, have their own TargetAbsent from the start: correct, and not counted here.)
    const runsHere = (k: string) => !Object.keys(SKIPPED_JOBS).some((job) => k.includes(`job="${job}"`));
    const absent = [...notificationCounts(pager)].filter(([k]) => k.startsWith('TargetAbsent') && runsHere(k));
    expect(absent).toEqual([['TargetAbsent{environment="prod",job="node-exporter",severity="critical"} firing', 1]]);
  });

  test('the global Prometheus sees each series once per replica, with a stable identity and no gaps', async () => {
    const sel = '{__name__=~"up|job:.+",job!="federate-prod"}';
    await global.waitFor(`count(count by (replica) (${sel}))`, (s) => s.length === 1 && s[0].value === 2, 20_000);
    await sleep(6_000);
    // Never two series for one identity: at most one per replica.
    // (The metric name is kept as a label: aggregation drops __name__.)
    expect(await global.query(`count without (replica) (label_replace(${sel}, "name", "$1", "__name__", "(.+)")) > 2`)).toEqual([]);
    // Both replicas' copies of the API's error ratio, each continuous (a Service over both replicas
    // would alternate the replica label and leave every series with gaps).
    const ratio = await global.query('count_over_time(job:nanoe_api_request_errors:ratio_rate5m[5s])');
    expect(ratio.map((s) => s.metric.replica).sort()).toEqual(['prometheus-0', 'prometheus-1']);
    for (const s of ratio) expect(s.value).toBeGreaterThanOrEqual(4);
    const names = ['up', 'job:nanoe_api_requests:rate5m', 'job:nanoe_api_request_errors:ratio_rate5m', 'instance:node_memory_utilisation:ratio'];
    const gaps = (await Promise.all(names.map((n) => global.query(`count_over_time(${n}{job!="federate-prod"}[5s]) < 4`)))).flat();
    log(`global Prometheus: ${(await global.query(`count by (replica) (${sel})`)).map((s) => `${s.metric.replica}=${s.value}`).join(', ')} series; with gaps: ${gaps.length}`);
    expect(gaps.map((s) => s.metric)).toEqual([]);
  });
});

describe('reload and self-scrape with a password of every ASCII punctuation character', () => {
  // bcrypt (cost 4) of PASSWORD, as the web config of the prometheus-web-auth Secret holds it. bcrypt
  // reads at most 72 bytes, so the printable set is covered by punctuation, space, letters and digits.
  const PASSWORD = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ /?#%@:Zz09';
  const HASH = '$2b$04$mytgpI96gcvz9h37hhuZ5.1Zv5rzL536G5UJ3qobQpMKWz5VnlWHO';

  test('Prometheus reloads changed rules by itself and scrapes itself with the password', async () => {
    const dir = makeTempDir('ha-password');
    const auth = { authorization: `Basic ${Buffer.from(`nanoe:${PASSWORD}`).toString('base64')}` };
    const rule = (name: string) => `groups:\n  - name: ${name}\n    rules:\n      - record: nanoe:reload_probe\n        expr: vector(1)\n`;
    fs.writeFileSync(path.join(dir, 'web-config.yml'), `basic_auth_users:\n  nanoe: ${HASH}\n`);
    fs.writeFileSync(path.join(dir, 'password'), PASSWORD);
    fs.writeFileSync(path.join(dir, 'probe.rules.yaml'), rule('before'));
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    try {
      daemon = await startDaemon({
        name: 'prometheus (password)',
        build: (port) => {
          fs.writeFileSync(path.join(dir, 'prometheus.yml'), YAML.stringify({
            global: { scrape_interval: '1s', evaluation_interval: '1s' },
            rule_files: [path.join(dir, 'probe.rules.yaml')],
            scrape_configs: [{ job_name: 'prometheus', basic_auth: { username: 'nanoe', password_file: path.join(dir, 'password') }, static_configs: [{ targets: [`${HOST}:${port}`] }] }],
          }));
          return {
            name: 'prometheus', command: findBinary('prometheus'), cwd: dir,
            args: [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=${HOST}:${port}`,
              `--web.config.file=${path.join(dir, 'web-config.yml')}`, '--enable-feature=auto-reload-config', '--config.auto-reload-interval=1s'],
          };
        },
        ready: async (port) => (await httpRequest(`http://${HOST}:${port}/-/ready`, { headers: auth })).status === 200,
      });
      const base = `http://${HOST}:${daemon.port}`;
      const query = async (q: string) => JSON.parse((await httpRequest(`${base}/api/v1/query?query=${encodeURIComponent(q)}`, { headers: auth })).body).data.result as { metric: Json; value: [number, string] }[];
      expect((await httpRequest(`${base}/-/ready`)).status).toBe(401); // no password, no answer
      await waitUntil(async () => (await query('up{job="prometheus"} == 1')).length === 1, { timeoutMs: 15_000, intervalMs: 250, what: 'the self-scrape with the password' });
      fs.writeFileSync(path.join(dir, 'probe.rules.yaml'), rule('after'));
      const groups = await waitUntil(async () => {
        const g = JSON.parse((await httpRequest(`${base}/api/v1/rules`, { headers: auth })).body).data.groups as { name: string }[];
        return g.some((x) => x.name === 'after') ? g.map((x) => x.name) : false;
      }, { timeoutMs: 15_000, intervalMs: 250, what: 'the changed rule file to be reloaded' });
      const reload = await query('prometheus_config_last_reload_successful');
      log(`password reload: groups ${groups.join(', ')}; last reload successful = ${reload[0]?.value[1]}; up = ${(await query('up'))[0]?.value[1]}`);
      expect(groups).toEqual(['after']);
      expect(reload[0].value[1]).toBe('1');
    } finally {
      await daemon?.proc.stop();
      removeDir(dir);
    }
  });
});

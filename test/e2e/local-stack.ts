/**
 * The generated monitoring stack, run for real on 127.0.0.1.
 *
 * Builds the default app's environment (dev) in memory, takes the Prometheus configuration it
 * generates (`stack.prometheus.renderConfig()`) and the rule files it ships (the `prometheus-rules`
 * ConfigMap of the synthesized output), and LOCALIZES them:
 *   - every scrape job keeps its name, metrics_path and metric_relabel_configs, but its Kubernetes
 *     discovery (`kubernetes_sd_configs`) becomes a `static_configs` entry pointing at the local
 *     daemon that stands in for it (the explicit table LOCAL_JOB_TARGETS below). A job without a local
 *     stand-in is an error (only the jobs of SKIPPED_JOBS are skipped: cAdvisor and the kubelet);
 *   - relabel_configs that only read Kubernetes discovery metadata (`__meta_kubernetes_*`) are dropped:
 *     discovery filters (keep/drop) have nothing to filter, and the labels they would copy
 *     (namespace, pod, node, instance for node agents) are set statically with local values instead;
 *   - scrape and evaluation intervals are shortened to LOCAL_INTERVAL (1s) so that 5m-window rates
 *     have samples within seconds;
 *   - alerts go to the local Alertmanager (static target) instead of the discovered one;
 *   - in the rule files, the `for:` of the alerts the e2e makes fire (LOCAL_FOR) is shortened to a
 *     few seconds — expressions and thresholds stay as generated.
 * Everything that is changed is listed in `notes`, so the report says so.
 *
 * startLocalStack() then starts postgres, redis, the three exporters, the API stand-in (with the
 * metric names of the environment's instrumentation config), Alertmanager with a webhook receiver and
 * Prometheus with the localized config, plus a bounded background load (API traffic, SQL workload,
 * Redis hits and misses, one open transaction).
 */
import { basename } from 'node:path';
import YAML from 'yaml';
import type { EnvironmentApp } from '../../lib/output/synth';
import { buildEnvironments } from '../../lib/output/synth';
import { API_JOB } from '../../lib/components/stack';
import {
  HOST,
  findBinary,
  httpOk,
  sleep,
  startAlertmanager,
  startApiStandin,
  startDaemon,
  startNodeExporter,
  startPostgres,
  startPostgresExporter,
  startPrometheus,
  startRedis,
  startRedisExporter,
  startWebhook,
  webhookAlertmanagerConfig,
  type AlertmanagerHandle,
  type ApiStandinHandle,
  type Handle,
  type PostgresHandle,
  type PrometheusHandle,
  type RedisHandle,
  type WebhookHandle,
} from './harness';

/** Scrape and rule-evaluation interval of the local Prometheus (the generated config says 30s). */
export const LOCAL_INTERVAL = '1s';

/**
 * `for:` durations used locally for the alerts the e2e drives to firing. The generated rules say
 * 5m (HighErrorRate) and 1m (InstanceDown): too long to wait for. Only the duration changes.
 */
export const LOCAL_FOR: Readonly<Record<string, string>> = {
  HighErrorRate: '5s',
  InstanceDown: '3s',
};

/** The local daemons a scrape job can point at. */
export interface LocalAddresses {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly nodeExporter: string;
  readonly postgresExporter: string;
  readonly redisExporter: string;
  readonly api: string;
}

/**
 * Job of the generated config → the local daemon that serves it. Explicit on purpose: a scrape target
 * added to the app without a local stand-in makes localizeConfig() throw, so the e2e fails loudly
 * instead of silently not testing it.
 */
export const LOCAL_JOB_TARGETS: Readonly<Record<string, keyof LocalAddresses>> = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  'node-exporter': 'nodeExporter',
  'postgres-exporter': 'postgresExporter',
  'redis-exporter': 'redisExporter',
  [API_JOB]: 'api',
};

/** Jobs of the generated config that cannot run here, with the reason (printed in the report). */
export const SKIPPED_JOBS: Readonly<Record<string, string>> = {
  cadvisor:
    'no cAdvisor package exists for this OS (and it needs a container runtime); its dashboard panels are ' +
    'checked against the recorded cAdvisor metric list instead',
  kubelet:
    'no kubelet runs here (it needs a cluster); its volume panels and the capacity rules are checked against ' +
    'the kubelet facts (facts/kubelet-unknown.json) instead',
};

/** Local stand-ins for the Kubernetes discovery labels the generated relabelings copy. */
export const LOCAL_NODE_NAME = 'local-node';
const LOCAL_ENV_VARS: Readonly<Record<string, string>> = { POD_NAME: 'prometheus-local-0' };

export interface LocalizedConfig {
  /** prometheus.yml for the local Prometheus (object; rule_files empty: the harness adds the local paths). */
  readonly config: Record<string, unknown>;
  /** Rule file names the generated config loads, in order (basenames of its rule_files). */
  readonly ruleFileNames: string[];
  /** job → local `host:port` it scrapes. */
  readonly jobs: Record<string, string>;
  /** job → why it is not scraped locally. */
  readonly skipped: Record<string, string>;
  /** job → static target labels that replace the Kubernetes relabelings. */
  readonly staticLabels: Record<string, Record<string, string>>;
  /** Human-readable list of every change made to the generated config. */
  readonly notes: string[];
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const META = '__meta_kubernetes_';

/** The value a `__meta_kubernetes_*` label would have for the local target of `job`. */
function localMetaValue(label: string, job: string, namespace: string | undefined): string {
  switch (label) {
    case `${META}namespace`:
      if (namespace === undefined) throw new Error(`job "${job}": relabeling reads ${label}, but the job discovers no single namespace`);
      return namespace;
    case `${META}pod_name`:
      return `${job}-local-0`;
    case `${META}pod_node_name`:
      return LOCAL_NODE_NAME;
    default:
      throw new Error(
        `job "${job}": relabeling copies ${label}, which the local stack has no value for — ` +
          'add one in localMetaValue() (test/e2e/local-stack.ts)',
      );
  }
}

/** Prometheus's `replace` action on a static value (full-match regex, $1 / ${1} in the replacement). */
function applyReplace(value: string, regex: string, replacement: string): string | undefined {
  const m = new RegExp(`^(?:${regex})$`).exec(value);
  if (!m) return undefined;
  return replacement.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const key = a ?? b ?? '';
    return /^\d+$/.test(key) ? (m[Number(key)] ?? '') : (m.groups?.[key] ?? '');
  });
}

/** The single namespace a job's kubernetes_sd_configs looks in, if there is exactly one. */
function discoveredNamespace(job: Json): string | undefined {
  const sd = job.kubernetes_sd_configs;
  if (!Array.isArray(sd)) return undefined;
  const names = new Set<string>();
  for (const c of sd) {
    const list = isMap(c) && isMap(c.namespaces) && Array.isArray(c.namespaces.names) ? c.namespaces.names : [];
    for (const n of list) names.add(String(n));
  }
  return names.size === 1 ? [...names][0] : undefined;
}

/**
 * Splits relabel_configs into the ones kept as they are and static labels replacing the ones that
 * read Kubernetes discovery metadata. Throws on anything it cannot translate faithfully.
 */
function localizeRelabelings(
  where: string,
  job: string,
  namespace: string | undefined,
  relabelConfigs: unknown,
  notes: string[],
): { kept: Json[]; labels: Record<string, string> } {
  const kept: Json[] = [];
  const labels: Record<string, string> = {};
  for (const r of Array.isArray(relabelConfigs) ? relabelConfigs : []) {
    if (!isMap(r)) throw new Error(`${where}: relabel_configs entry is not a map: ${JSON.stringify(r)}`);
    const sources = Array.isArray(r.source_labels) ? r.source_labels.map(String) : [];
    const action = typeof r.action === 'string' ? r.action : 'replace';
    const metaSources = sources.filter((s) => s.startsWith(META));
    if (metaSources.length === 0) {
      if (typeof r.regex === 'string' && r.regex.includes(META)) {
        throw new Error(`${where}: ${action} relabeling on Kubernetes metadata (${r.regex}) has no local equivalent`);
      }
      kept.push(r);
      continue;
    }
    if (metaSources.length !== sources.length) {
      throw new Error(`${where}: relabeling mixes Kubernetes metadata and other labels (${sources.join(', ')}); cannot localize it`);
    }
    if (action === 'keep' || action === 'drop') {
      notes.push(`${where}: dropped discovery filter ${action} ${sources.join(',')}=~${String(r.regex)}`);
      continue;
    }
    if (action !== 'replace' || typeof r.target_label !== 'string' || r.target_label.includes('$')) {
      throw new Error(`${where}: relabeling ${JSON.stringify(r)} on Kubernetes metadata has no local equivalent`);
    }
    const joined = sources.map((s) => localMetaValue(s, job, namespace)).join(typeof r.separator === 'string' ? r.separator : ';');
    const value = applyReplace(joined, typeof r.regex === 'string' ? r.regex : '(.*)', typeof r.replacement === 'string' ? r.replacement : '$1');
    if (value === undefined) {
      notes.push(`${where}: relabeling to "${r.target_label}" would not match locally; dropped`);
      continue;
    }
    labels[r.target_label] = value;
  }
  return { kept, labels };
}

/**
 * The generated prometheus.yml, localized for 127.0.0.1 (see the file comment). Pure: throws with a
 * clear message when the generated config has something the local stack cannot stand in for.
 */
export function localizeConfig(
  generated: Record<string, unknown>,
  addresses: LocalAddresses,
  availableRuleFiles: readonly string[],
): LocalizedConfig {
  const src = structuredClone(generated) as Json;
  const notes: string[] = [];
  const jobs: Record<string, string> = {};
  const skipped: Record<string, string> = {};
  const staticLabels: Record<string, Record<string, string>> = {};

  // global: intervals, external labels
  const global = isMap(src.global) ? { ...src.global } : {};
  for (const key of ['scrape_interval', 'evaluation_interval'] as const) {
    notes.push(`global.${key}: ${String(global[key] ?? '(default 1m)')} → ${LOCAL_INTERVAL} (speed; rule windows unchanged)`);
    global[key] = LOCAL_INTERVAL;
  }
  if (global.scrape_timeout !== undefined) {
    notes.push(`global.scrape_timeout: ${String(global.scrape_timeout)} → ${LOCAL_INTERVAL}`);
    global.scrape_timeout = LOCAL_INTERVAL;
  }
  if (isMap(global.external_labels)) {
    const ext: Record<string, string> = {};
    for (const [k, v] of Object.entries(global.external_labels)) {
      const expanded = String(v).replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
        const name = a ?? b ?? '';
        const local = LOCAL_ENV_VARS[name];
        if (local === undefined) throw new Error(`global.external_labels.${k}: no local value for $${name} (add it to LOCAL_ENV_VARS)`);
        return local;
      });
      if (expanded !== String(v)) notes.push(`global.external_labels.${k}: ${String(v)} → ${expanded} (expand-external-labels, pod name)`);
      ext[k] = expanded;
    }
    global.external_labels = ext;
  }

  // scrape jobs
  if (!Array.isArray(src.scrape_configs) || src.scrape_configs.length === 0) throw new Error('the generated config has no scrape_configs');
  const unknown: string[] = [];
  const scrapeConfigs: Json[] = [];
  for (const raw of src.scrape_configs) {
    if (!isMap(raw) || typeof raw.job_name !== 'string') throw new Error(`scrape_configs entry without job_name: ${JSON.stringify(raw)}`);
    const job = raw.job_name;
    if (SKIPPED_JOBS[job] !== undefined) {
      skipped[job] = SKIPPED_JOBS[job];
      notes.push(`job ${job}: not scraped locally — ${SKIPPED_JOBS[job]}`);
      continue;
    }
    const local = LOCAL_JOB_TARGETS[job];
    if (local === undefined) {
      unknown.push(job);
      continue;
    }
    const where = `job ${job}`;
    const namespace = discoveredNamespace(raw);
    const { kept, labels } = localizeRelabelings(where, job, namespace, raw.relabel_configs, notes);
    const out: Json = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k.endsWith('_sd_configs') || k === 'static_configs' || k === 'relabel_configs') continue;
      if (k === 'basic_auth') {
        notes.push(`${where}: basic_auth dropped (the local ${job} runs without a web config; the flags e2e starts it with one)`);
        continue;
      }
      out[k] = v;
    }
    for (const key of ['scrape_interval', 'scrape_timeout'] as const) {
      if (out[key] !== undefined) {
        notes.push(`${where}: ${key} ${String(out[key])} → ${LOCAL_INTERVAL}`);
        out[key] = LOCAL_INTERVAL;
      }
    }
    const address = addresses[local];
    out.static_configs = [{ targets: [address], labels }];
    if (kept.length > 0) out.relabel_configs = kept;
    jobs[job] = address;
    staticLabels[job] = labels;
    notes.push(
      `${where}: kubernetes_sd_configs → static target ${address} (${local}), labels ${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
    scrapeConfigs.push(out);
  }
  if (unknown.length > 0) {
    throw new Error(
      `the generated Prometheus config scrapes job(s) ${unknown.map((j) => `"${j}"`).join(', ')} that the local stack has no ` +
        'stand-in for: add a local daemon and an entry to LOCAL_JOB_TARGETS in test/e2e/local-stack.ts ' +
        '(or, if it truly cannot run here, to SKIPPED_JOBS with the reason and a substitute check)',
    );
  }
  const stale = Object.keys(LOCAL_JOB_TARGETS).filter((j) => !(j in jobs));
  if (stale.length > 0) {
    throw new Error(
      `LOCAL_JOB_TARGETS has local stand-ins for job(s) ${stale.join(', ')} that the generated config does not scrape — ` +
        'the app lost a scrape target, or the table is stale',
    );
  }

  // alerting
  const alerting = src.alerting;
  if (!isMap(alerting) || !Array.isArray(alerting.alertmanagers) || alerting.alertmanagers.length === 0) {
    throw new Error('the generated Prometheus config sends alerts nowhere (no alerting.alertmanagers)');
  }
  const alertmanagers = alerting.alertmanagers.map((raw, i) => {
    if (!isMap(raw)) throw new Error(`alerting.alertmanagers[${i}] is not a map`);
    const where = `alerting.alertmanagers[${i}]`;
    const { kept, labels } = localizeRelabelings(where, 'alertmanager', discoveredNamespace(raw), raw.relabel_configs, notes);
    if (Object.keys(labels).length > 0) throw new Error(`${where}: relabelings set labels (${Object.keys(labels).join(', ')}); cannot localize`);
    const out: Json = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k.endsWith('_sd_configs') || k === 'static_configs' || k === 'relabel_configs') continue;
      if (k === 'basic_auth') {
        notes.push(`${where}: basic_auth dropped (the local Alertmanager runs without a web config)`);
        continue;
      }
      out[k] = v;
    }
    out.static_configs = [{ targets: [addresses.alertmanager] }];
    if (kept.length > 0) out.relabel_configs = kept;
    notes.push(`${where}: kubernetes_sd_configs → static target ${addresses.alertmanager} (local Alertmanager)`);
    return out;
  });

  // rule files: same files, local paths (the harness writes them and appends the paths)
  const ruleFileNames: string[] = [];
  for (const p of Array.isArray(src.rule_files) ? src.rule_files.map(String) : []) {
    const name = basename(p);
    if (!availableRuleFiles.includes(name)) {
      throw new Error(`the generated config loads rule file ${p}, but the synthesized prometheus-rules ConfigMap has no "${name}"`);
    }
    ruleFileNames.push(name);
  }
  if (ruleFileNames.length > 0) notes.push(`rule_files: ${ruleFileNames.join(', ')} from /etc/prometheus/rules → a local temp dir`);

  const config: Json = { ...src, global, alerting: { ...alerting, alertmanagers }, rule_files: [], scrape_configs: scrapeConfigs };
  return { config, ruleFileNames, jobs, skipped, staticLabels, notes };
}

/**
 * Rule files with the `for:` of the named alerts replaced (the LOCAL copy only; expressions,
 * thresholds, labels and annotations unchanged). Throws when an alert is not in any file.
 */
export function localizeRules(
  files: Readonly<Record<string, string>>,
  forOverrides: Readonly<Record<string, string>> = LOCAL_FOR,
): { rules: Record<string, string>; notes: string[] } {
  const rules: Record<string, string> = {};
  const notes: string[] = [];
  const found = new Set<string>();
  for (const [name, text] of Object.entries(files)) {
    const doc = YAML.parseDocument(text);
    const content = doc.toJS() as { groups?: { name: string; rules?: { alert?: string; for?: string }[] }[] };
    let changed = false;
    (content.groups ?? []).forEach((group, gi) => {
      (group.rules ?? []).forEach((rule, ri) => {
        const local = rule.alert !== undefined ? forOverrides[rule.alert] : undefined;
        if (local === undefined || rule.alert === undefined) return;
        found.add(rule.alert);
        doc.setIn(['groups', gi, 'rules', ri, 'for'], local);
        notes.push(`${name}: alert ${rule.alert} for: ${rule.for ?? '(none)'} → ${local} (local copy only; expr and threshold unchanged)`);
        changed = true;
      });
    });
    rules[name] = changed ? doc.toString({ lineWidth: 0 }) : text;
  }
  const missing = Object.keys(forOverrides).filter((a) => !found.has(a));
  if (missing.length > 0) throw new Error(`alert(s) ${missing.join(', ')} not found in the generated rule files`);
  return { rules, notes };
}

/** The environment's generated Prometheus config and rule files, as the synthesized output has them. */
export function generatedPrometheus(env: EnvironmentApp): { config: Record<string, unknown>; ruleFiles: Record<string, string> } {
  const config = env.stack.prometheus.renderConfig();
  const objects = env.stack.toJson() as Array<{ kind: string; metadata: { name: string }; data?: Record<string, string> }>;
  const cm = (name: string) => {
    const o = objects.find((x) => x.kind === 'ConfigMap' && x.metadata.name === name);
    if (!o?.data) throw new Error(`the synthesized output of ${env.config.name} has no ConfigMap ${name}`);
    return o.data;
  };
  // renderConfig() is what the prometheus-config ConfigMap holds; make sure that stays true.
  const shipped = YAML.parse(cm('prometheus-config')['prometheus.yml']) as unknown;
  if (JSON.stringify(shipped) !== JSON.stringify(config)) {
    throw new Error('renderConfig() differs from the prometheus.yml in the synthesized prometheus-config ConfigMap');
  }
  return { config, ruleFiles: { ...cm('prometheus-rules') } };
}

// ---------------------------------------------------------------------------------------------
// The running stack

export interface LocalStackOptions {
  /** Project root (holds config/, rules/, dashboards/). */
  readonly root: string;
  /** Environment of config/environments.yaml to run. @default 'dev' */
  readonly environment?: string;
  /** API traffic in requests per second (bounded, 127.0.0.1 only). @default 50 */
  readonly rps?: number;
  /** Share of API requests answered with 500 from the start. @default 0.02 */
  readonly errorFraction?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface LocalStack {
  readonly root: string;
  readonly env: EnvironmentApp;
  readonly localized: LocalizedConfig;
  /** Notes of localizeConfig and localizeRules: everything that differs from the generated output. */
  readonly notes: string[];
  /** The rule files loaded locally (after localizeRules). */
  readonly rules: Record<string, string>;
  readonly prometheus: PrometheusHandle;
  readonly alertmanager: AlertmanagerHandle;
  readonly webhook: WebhookHandle;
  readonly postgres: PostgresHandle;
  readonly redis: RedisHandle;
  readonly api: ApiStandinHandle;
  /** The exporters, by job (redis-exporter may be replaced by restartExporter()). */
  readonly exporters: Record<'node-exporter' | 'postgres-exporter' | 'redis-exporter', Handle>;
  /** ms per start step. */
  readonly timings: Record<string, number>;
  /** Stops the redis-exporter (its port stays known). */
  stopRedisExporter(): Promise<void>;
  /** Starts redis-exporter again on the same port (same flags as the harness uses). */
  restartRedisExporter(): Promise<void>;
  /** Stops the background load and every daemon (reverse start order); returns errors, never throws. */
  stop(): Promise<string[]>;
}

/** Stops everything that started, even if a later step failed. */
class Tracker {
  readonly items: Array<{ name: string; stop: () => Promise<void> }> = [];
  add<T extends { stop(): Promise<void> }>(name: string, h: T): T {
    this.items.push({ name, stop: () => h.stop() });
    return h;
  }
  async stopAll(): Promise<string[]> {
    const errors: string[] = [];
    for (const { name, stop } of [...this.items].reverse()) {
      try {
        await stop();
      } catch (e) {
        errors.push(`${name}: ${(e as Error).message}`);
      }
    }
    this.items.length = 0;
    return errors;
  }
}

async function settled<T>(ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Starts redis-exporter on a fixed port, with the flags of the harness's startRedisExporter. */
async function startRedisExporterOn(port: number, redisAddr: string): Promise<Handle> {
  const command = findBinary('prometheus-redis-exporter');
  const daemon = await startDaemon({
    name: 'redis-exporter (restarted)',
    port,
    timeoutMs: 10_000,
    build: (p) => ({
      name: 'redis-exporter',
      command,
      args: [`-redis.addr=${redisAddr}`, `-web.listen-address=${HOST}:${p}`],
      env: { ...process.env, REDIS_ADDR: undefined, REDIS_PASSWORD: undefined },
    }),
    ready: (p) => httpOk(`http://${HOST}:${p}/metrics`, 3000),
  });
  return { port, address: `${HOST}:${port}`, stop: () => daemon.proc.stop() };
}

/** A bounded background load: API traffic in 1 s chunks, SQL workload and Redis commands every second. */
function startLoad(api: ApiStandinHandle, pg: PostgresHandle, redis: RedisHandle, rps: number, log: (l: string) => void) {
  let stopped = false;
  const MAX_SECONDS = 600; // hard bound: the e2e never runs this long
  const errors: string[] = [];
  const note = (what: string, e: unknown) => {
    if (!stopped && errors.length < 20) errors.push(`${what}: ${(e as Error).message}`);
  };
  const traffic = (async () => {
    for (let i = 0; i < MAX_SECONDS && !stopped; i++) {
      await api.generateTraffic({ rps, seconds: 1 }).catch((e) => note('API traffic', e));
    }
  })();
  const db = (async () => {
    for (let i = 0; i < MAX_SECONDS && !stopped; i++) {
      const t = Date.now();
      await Promise.all([
        pg.workload({ inserts: 20, updates: 5, deletes: 3, selects: 5, rollbacks: 1 }).catch((e) => note('SQL workload', e)),
        redis
          .pipeline([
            ['SET', `nanoe:e2e:${i % 50}`, String(i)],
            ['GET', `nanoe:e2e:${i % 50}`], // hit
            ['GET', `nanoe:e2e:${(i % 50) + 1}`], // hit once warmed up
            ['GET', `nanoe:e2e:missing:${i}`], // miss
          ])
          .catch((e) => note('Redis commands', e)),
      ]);
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  return {
    errors,
    async stop() {
      stopped = true;
      await Promise.all([traffic, db]);
      if (errors.length) log(`background load errors: ${errors.join('; ')}`);
    },
  };
}

/** Starts the localized generated stack on 127.0.0.1 (see the file comment). */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => undefined);
  const environment = opts.environment ?? 'dev';
  const rps = opts.rps ?? 50;
  const timings: Record<string, number> = {};
  const tracker = new Tracker();
  const time = async <T>(name: string, p: Promise<T>): Promise<T> => {
    const t = Date.now();
    const v = await p;
    timings[name] = Date.now() - t;
    return v;
  };

  // 1. The app, built in memory, and its generated Prometheus config and rules.
  const t0 = Date.now();
  const envs = buildEnvironments({ root: opts.root, environments: [environment] });
  const env = envs.find((e) => e.config.name === environment);
  if (!env) throw new Error(`environment ${environment} not built`);
  const generated = generatedPrometheus(env);
  // Fail before starting anything when the config cannot be localized (placeholder addresses).
  const probe: LocalAddresses = {
    prometheus: 'p:1', alertmanager: 'a:1', nodeExporter: 'n:1', postgresExporter: 'pg:1', redisExporter: 'r:1', api: 'api:1',
  };
  const dryRun = localizeConfig(generated.config, probe, Object.keys(generated.ruleFiles));
  const referenced = Object.fromEntries(dryRun.ruleFileNames.map((n) => [n, generated.ruleFiles[n]]));
  const localRules = localizeRules(referenced);
  timings['build app + localize'] = Date.now() - t0;

  let load: ReturnType<typeof startLoad> | undefined;
  try {
    // 2. Databases, the API stand-in and the webhook.
    const instr = env.config.backend.api.instrumentation;
    log('starting postgres, redis, the API stand-in and the webhook receiver…');
    const [pg, redis, api, webhook] = await settled<unknown>([
      time('postgres (initdb + start)', startPostgres()).then((h) => tracker.add('postgres', h)),
      // maxmemory set, so the "Memory used" panel's limit line (redis_memory_max_bytes > 0) has data.
      time('redis', startRedis({ maxmemory: '64mb' })).then((h) => tracker.add('redis', h)),
      time(
        'api stand-in',
        startApiStandin({
          requestsMetric: instr.requestsTotalMetric,
          durationMetric: instr.durationHistogramMetric,
          codeLabel: instr.statusCodeLabel,
          errorFraction: opts.errorFraction ?? 0.02,
          latencySeconds: () => 0.005 + Math.random() * 0.1,
        }),
      ).then((h) => tracker.add('api stand-in', h)),
      time('webhook', startWebhook()).then((h) => tracker.add('webhook', h)),
    ]) as [PostgresHandle, RedisHandle, ApiStandinHandle, WebhookHandle];
    load = startLoad(api, pg, redis, rps, log);
    tracker.add('background load', load);
    const tx = await pg.openTransaction(); // pg_stat_activity_max_tx_duration > 0
    tracker.add('open transaction', { stop: () => tx.close() });

    // 3. Exporters and Alertmanager.
    log('starting node-exporter, postgres-exporter, redis-exporter and alertmanager…');
    const [node, pgExp, redisExp, am] = await settled<unknown>([
      time('node-exporter', startNodeExporter()).then((h) => tracker.add('node-exporter', h)),
      time('postgres-exporter', startPostgresExporter({ dsn: pg.dsn() })).then((h) => tracker.add('postgres-exporter', h)),
      time('redis-exporter', startRedisExporter({ redisAddr: redis.url })).then((h) => tracker.add('redis-exporter', h)),
      time('alertmanager', startAlertmanager({ config: webhookAlertmanagerConfig(webhook.receiverUrl) })).then((h) =>
        tracker.add('alertmanager', h),
      ),
    ]) as [Handle, Handle, Handle, AlertmanagerHandle];
    const exporters: LocalStack['exporters'] = { 'node-exporter': node, 'postgres-exporter': pgExp, 'redis-exporter': redisExp };

    // 4. Prometheus with the localized generated config and rules.
    log('starting prometheus with the localized generated config…');
    let localized: LocalizedConfig | undefined;
    const prometheus = await time(
      'prometheus',
      startPrometheus({
        config: (self) => {
          localized = localizeConfig(
            generated.config,
            {
              prometheus: self,
              alertmanager: am.address,
              nodeExporter: node.address,
              postgresExporter: pgExp.address,
              redisExporter: exporters['redis-exporter'].address,
              api: api.address,
            },
            Object.keys(generated.ruleFiles),
          );
          return localized.config;
        },
        rules: localRules.rules,
      }),
    );
    tracker.add('prometheus', prometheus);
    if (!localized) throw new Error('prometheus started without a localized config');
    const loc: LocalizedConfig = localized;

    return {
      root: opts.root,
      env,
      localized: loc,
      notes: [...loc.notes, ...localRules.notes],
      rules: localRules.rules,
      prometheus,
      alertmanager: am,
      webhook,
      postgres: pg,
      redis,
      api,
      exporters,
      timings,
      async stopRedisExporter() {
        await exporters['redis-exporter'].stop();
      },
      async restartRedisExporter() {
        const port = exporters['redis-exporter'].port;
        exporters['redis-exporter'] = tracker.add('redis-exporter (restarted)', await startRedisExporterOn(port, redis.url));
      },
      stop: () => tracker.stopAll(),
    };
  } catch (e) {
    await tracker.stopAll();
    throw e;
  }
}

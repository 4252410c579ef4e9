/**
 * A throw-away Prometheus on 127.0.0.1:<free port> with a given config text,
 * rule files and a temp TSDB dir; `--web.enable-lifecycle` so reload() works.
 *
 * Timing (measured, Prometheus 2.42): ready after ~0.1 s, but service discovery
 * (static_configs included, and the Alertmanager list) hands targets over only
 * every 5 s, so the first scrape, and the first alert sent to Alertmanager,
 * happen ~5 s after start; targets added by reload() likewise appear within
 * 5 s. There is no flag to shorten this in 2.42.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  HOST,
  findBinary,
  httpJson,
  httpOk,
  httpRequest,
  makeTempDir,
  removeDir,
  startDaemon,
  waitUntil,
  type HttpHandle,
} from './common';

export type PromConfig = string | Record<string, unknown>;

export interface PrometheusOptions {
  /**
   * prometheus.yml as text or object, or a function of Prometheus's own
   * `127.0.0.1:<port>` (for a self-scrape job; the port is chosen at start).
   * Relative paths resolve against the temp dir holding it.
   */
  config: PromConfig | ((selfAddress: string) => PromConfig);
  /** Rule files: file name -> YAML text. Written to `<dir>/rules/` and appended to `rule_files`. */
  rules?: Record<string, string>;
  /** Alertmanager addresses (`127.0.0.1:<port>`), added as `alerting.alertmanagers[].static_configs`. */
  alertmanagers?: string[];
  /** Extra command-line flags, e.g. ['--web.enable-admin-api', '--query.lookback-delta=1m']. */
  extraArgs?: string[];
  timeoutMs?: number;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** Unix seconds. */
  timestamp: number;
}

export interface Target {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: Array<{ name: string; type: 'alerting' | 'recording'; health: string; lastError?: string; query: string; state?: string }>;
}

export interface PrometheusHandle extends HttpHandle {
  /** Temp dir holding prometheus.yml, rules/ and data/. */
  readonly dir: string;
  readonly configPath: string;
  readonly startupMs: number;
  /** Instant query (GET /api/v1/query). A scalar result comes back as one sample with no labels. */
  query(expr: string, opts?: { time?: number | Date }): Promise<Sample[]>;
  /** Value of the first sample, or undefined when the result is empty. */
  queryValue(expr: string): Promise<number | undefined>;
  /**
   * Polls `expr` until `predicate(result)` holds (default: non-empty result); returns the result.
   * The timeout error quotes the last result.
   */
  waitFor(expr: string, predicate?: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  /** Active targets (GET /api/v1/targets?state=active). */
  targets(): Promise<Target[]>;
  /** Waits until at least `count` targets exist (default: all configured) and all of them are healthy. */
  waitForTargetsUp(opts?: { count?: number; timeoutMs?: number }): Promise<Target[]>;
  /** Pending and firing alerts (GET /api/v1/alerts). */
  alerts(): Promise<PromAlert[]>;
  /** Rule groups with health (GET /api/v1/rules). */
  rules(): Promise<RuleGroup[]>;
  /**
   * Rewrites prometheus.yml as given (and writes rule files, when given, adding
   * them to `rule_files`); call reload() afterwards. `alertmanagers` from the
   * start options is not re-applied.
   */
  writeConfig(config: PromConfig, rules?: Record<string, string>): void;
  /** POST /-/reload; throws with Prometheus's message when the new config is rejected. */
  reload(): Promise<void>;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  errorType?: string;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/**
 * A minimal prometheus.yml object: one job per entry with static targets,
 * scrape and evaluation interval `interval` (default 1s).
 */
export function staticScrapeConfig(
  jobs: Record<string, string[]>,
  opts: { interval?: string; scrapeTimeout?: string } = {},
): Record<string, unknown> {
  const interval = opts.interval ?? '1s';
  return {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      ...(opts.scrapeTimeout ? { scrape_timeout: opts.scrapeTimeout } : {}),
    },
    scrape_configs: Object.entries(jobs).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
}

function renderConfig(
  config: PromConfig,
  rulesDir: string,
  rules: Record<string, string> | undefined,
  alertmanagers: string[] | undefined,
): string {
  const needsEdit = (rules && Object.keys(rules).length > 0) || (alertmanagers && alertmanagers.length > 0);
  if (typeof config === 'string' && !needsEdit) return config;
  const obj = (typeof config === 'string' ? YAML.parse(config) ?? {} : structuredClone(config)) as Record<string, unknown>;
  if (rules && Object.keys(rules).length > 0) {
    const existing = Array.isArray(obj.rule_files) ? (obj.rule_files as string[]) : [];
    const added = Object.keys(rules).map((name) => path.join(rulesDir, name));
    obj.rule_files = [...existing, ...added.filter((p) => !existing.includes(p))];
  }
  if (alertmanagers && alertmanagers.length > 0) {
    const alerting = (obj.alerting ?? {}) as Record<string, unknown>;
    const ams = Array.isArray(alerting.alertmanagers) ? (alerting.alertmanagers as unknown[]) : [];
    alerting.alertmanagers = [...ams, { static_configs: [{ targets: alertmanagers }] }];
    obj.alerting = alerting;
  }
  return YAML.stringify(obj);
}

function writeRuleFiles(rulesDir: string, rules: Record<string, string> | undefined): void {
  fs.mkdirSync(rulesDir, { recursive: true });
  for (const [name, text] of Object.entries(rules ?? {})) {
    if (name.includes('/') || name.startsWith('.')) throw new Error(`rule file name must be a plain file name: ${name}`);
    fs.writeFileSync(path.join(rulesDir, name), text);
  }
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const binary = findBinary('prometheus');
  const dir = makeTempDir('prometheus');
  const rulesDir = path.join(dir, 'rules');
  const dataDir = path.join(dir, 'data');
  const configPath = path.join(dir, 'prometheus.yml');
  let alertmanagers = opts.alertmanagers;
  const writeConfig = (config: PromConfig, rules?: Record<string, string>) => {
    writeRuleFiles(rulesDir, rules);
    fs.writeFileSync(configPath, renderConfig(config, rulesDir, rules, alertmanagers));
  };
  try {
    const daemon = await startDaemon({
      name: 'prometheus',
      timeoutMs: opts.timeoutMs ?? 20_000,
      build: (port) => {
        writeConfig(typeof opts.config === 'function' ? opts.config(`${HOST}:${port}`) : opts.config, opts.rules);
        return {
          name: 'prometheus',
          command: binary,
          args: [
            `--config.file=${configPath}`,
            `--storage.tsdb.path=${dataDir}`,
            `--web.listen-address=${HOST}:${port}`,
            '--web.enable-lifecycle',
            `--web.external-url=http://${HOST}:${port}/`,
            ...(opts.extraArgs ?? []),
          ],
          cwd: dir,
        };
      },
      ready: (port) => httpOk(`http://${HOST}:${port}/-/ready`, 2000),
    });
    alertmanagers = undefined; // applied at start only; later writeConfig calls take the config as given
    const { proc, port } = daemon;
    const url = `http://${HOST}:${port}`;
    const api = async <T>(p: string, method = 'GET'): Promise<T> => {
      const res = await httpJson<ApiResponse<T>>(`${url}${p}`, { method, timeoutMs: 10_000 });
      if (res.status !== 'success') throw new Error(`Prometheus ${p}: ${res.errorType}: ${res.error}`);
      return res.data;
    };
    const query = async (expr: string, o: { time?: number | Date } = {}): Promise<Sample[]> => {
      let qs = `query=${encodeURIComponent(expr)}`;
      if (o.time !== undefined) {
        const t = o.time instanceof Date ? o.time.getTime() / 1000 : o.time;
        qs += `&time=${t}`;
      }
      const data = await api<{ resultType: string; result: unknown }>(`/api/v1/query?${qs}`);
      if (data.resultType === 'vector') {
        return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
          metric: s.metric,
          timestamp: s.value[0],
          value: parseValue(s.value[1]),
        }));
      }
      if (data.resultType === 'scalar') {
        const [ts, v] = data.result as [number, string];
        return [{ metric: {}, timestamp: ts, value: parseValue(v) }];
      }
      throw new Error(`query returned a ${data.resultType}, not an instant vector: ${expr}`);
    };
    const targets = async () =>
      (await api<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
    const handle: PrometheusHandle = {
      port,
      address: `${HOST}:${port}`,
      url,
      dir,
      configPath,
      startupMs: daemon.startupMs,
      query,
      async queryValue(expr) {
        const r = await query(expr);
        return r.length ? r[0].value : undefined;
      },
      async waitFor(expr, predicate = (s) => s.length > 0, timeoutMs = 30_000) {
        let last: Sample[] | string = 'no result yet';
        try {
          return await waitUntil(
            async () => {
              try {
                const r = await query(expr);
                last = r;
                return predicate(r) ? r : false;
              } catch (e) {
                last = (e as Error).message;
                throw e;
              }
            },
            { timeoutMs, intervalMs: 250, what: `Prometheus query \`${expr}\`` },
          );
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  last result: ${JSON.stringify(last).slice(0, 2000)}`);
        }
      },
      targets,
      async waitForTargetsUp(o = {}) {
        let last: Target[] = [];
        try {
          return await waitUntil(
            async () => {
              last = await targets();
              const enough = o.count === undefined ? last.length > 0 : last.length >= o.count;
              return enough && last.every((t) => t.health === 'up') ? last : false;
            },
            { timeoutMs: o.timeoutMs ?? 30_000, intervalMs: 250, what: 'all Prometheus targets to be up' },
          );
        } catch (e) {
          const summary = last.map((t) => `${t.scrapePool} ${t.scrapeUrl} ${t.health} ${t.lastError}`).join('\n    ');
          throw new Error(`${(e as Error).message}\n  targets:\n    ${summary || '(none)'}`);
        }
      },
      async alerts() {
        return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
      },
      async rules() {
        return (await api<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
      },
      writeConfig,
      async reload() {
        const res = await httpRequest(`${url}/-/reload`, { method: 'POST', timeoutMs: 15_000 });
        if (res.status !== 200) throw new Error(`Prometheus reload failed (${res.status}): ${res.body.trim()}`);
      },
      async stop() {
        await proc.stop();
        removeDir(dir);
      },
    };
    return handle;
  } catch (e) {
    removeDir(dir);
    throw e;
  }
}

/**
 * A throw-away Alertmanager on 127.0.0.1:<free port>: given config text, temp
 * storage, gossip disabled (`--cluster.listen-address=` empty).
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
  type HttpHandle,
} from './common';

export interface AlertmanagerOptions {
  /** alertmanager.yml as text or object. */
  config: string | Record<string, unknown>;
  extraArgs?: string[];
  /**
   * Gossip flags (`--cluster.listen-address=127.0.0.1:<port>`, `--cluster.peer=…`) replacing the
   * default `--cluster.listen-address=` (gossip off); kingpin refuses a repeated flag.
   */
  clusterArgs?: string[];
  timeoutMs?: number;
}

/** An alert as returned by GET /api/v2/alerts. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
  receivers: Array<{ name: string }>;
  fingerprint: string;
}

/** An alert to POST to /api/v2/alerts (what Prometheus sends). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerHandle extends HttpHandle {
  readonly dir: string;
  readonly configPath: string;
  readonly startupMs: number;
  /** GET /api/v2/alerts */
  alerts(): Promise<AmAlert[]>;
  /** POST /api/v2/alerts (bypassing Prometheus). */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Rewrites alertmanager.yml; call reload() afterwards. */
  writeConfig(config: string | Record<string, unknown>): void;
  /** POST /-/reload; throws with Alertmanager's message when the config is rejected. */
  reload(): Promise<void>;
}

/**
 * A config whose only receiver is a webhook at `url`, with short timings so
 * notifications arrive within seconds (group_wait 1s, group_interval 1s,
 * repeat_interval 1h, send_resolved true).
 */
export function webhookAlertmanagerConfig(
  url: string,
  opts: { groupWait?: string; groupInterval?: string; repeatInterval?: string; groupBy?: string[] } = {},
): Record<string, unknown> {
  return {
    route: {
      receiver: 'webhook',
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url, send_resolved: true }] }],
  };
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerHandle> {
  const binary = findBinary('prometheus-alertmanager');
  const dir = makeTempDir('alertmanager');
  const configPath = path.join(dir, 'alertmanager.yml');
  const writeConfig = (config: string | Record<string, unknown>) =>
    fs.writeFileSync(configPath, typeof config === 'string' ? config : YAML.stringify(config));
  try {
    writeConfig(opts.config);
    const daemon = await startDaemon({
      name: 'alertmanager',
      timeoutMs: opts.timeoutMs ?? 15_000,
      build: (port) => ({
        name: 'alertmanager',
        command: binary,
        args: [
          `--config.file=${configPath}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=${HOST}:${port}`,
          ...(opts.clusterArgs ?? ['--cluster.listen-address=']),
          `--web.external-url=http://${HOST}:${port}/`,
          ...(opts.extraArgs ?? []),
        ],
        cwd: dir,
      }),
      ready: (port) => httpOk(`http://${HOST}:${port}/-/ready`, 2000),
    });
    const { proc, port } = daemon;
    const url = `http://${HOST}:${port}`;
    return {
      port,
      address: `${HOST}:${port}`,
      url,
      dir,
      configPath,
      startupMs: daemon.startupMs,
      alerts: () => httpJson<AmAlert[]>(`${url}/api/v2/alerts`),
      async postAlerts(alerts) {
        await httpJson(`${url}/api/v2/alerts`, { method: 'POST', body: alerts });
      },
      writeConfig,
      async reload() {
        const res = await httpRequest(`${url}/-/reload`, { method: 'POST', timeoutMs: 15_000 });
        if (res.status !== 200) throw new Error(`Alertmanager reload failed (${res.status}): ${res.body.trim()}`);
      },
      async stop() {
        await proc.stop();
        removeDir(dir);
      },
    };
  } catch (e) {
    removeDir(dir);
    throw e;
  }
}

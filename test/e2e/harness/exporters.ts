/**
 * The three Prometheus exporters, each on 127.0.0.1:<free port>:
 * node-exporter (`--web.listen-address`), postgres-exporter
 * (`DATA_SOURCE_NAME=…?sslmode=disable`) and redis-exporter (Go-style
 * `-redis.addr` / `-web.listen-address`). Ready = GET /metrics answers 200.
 */
import {
  HOST,
  findBinary,
  httpOk,
  startDaemon,
  type HttpHandle,
} from './common';

export interface ExporterHandle extends HttpHandle {
  /** `http://127.0.0.1:<port>/metrics` */
  readonly metricsUrl: string;
  readonly startupMs: number;
}

interface ExporterSpec {
  name: string;
  binary: string;
  args: (listen: string) => string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

async function startExporter(spec: ExporterSpec): Promise<ExporterHandle> {
  const command = findBinary(spec.binary);
  const daemon = await startDaemon({
    name: spec.name,
    timeoutMs: spec.timeoutMs ?? 10_000,
    build: (port) => ({
      name: spec.name,
      command,
      args: spec.args(`${HOST}:${port}`),
      env: { ...process.env, ...spec.env },
    }),
    ready: (port) => httpOk(`http://${HOST}:${port}/metrics`, 3000),
  });
  const url = `http://${HOST}:${daemon.port}`;
  return {
    port: daemon.port,
    address: `${HOST}:${daemon.port}`,
    url,
    metricsUrl: `${url}/metrics`,
    startupMs: daemon.startupMs,
    stop: () => daemon.proc.stop(),
  };
}

export interface NodeExporterOptions {
  /** Extra flags, e.g. ['--collector.disable-defaults', '--collector.cpu']. */
  extraArgs?: string[];
  timeoutMs?: number;
}

/**
 * prometheus-node-exporter. The systemd collector (no systemd here) and the
 * textfile collector (Debian points it at /var/lib/prometheus/node-exporter)
 * are switched off. Note: Debian's build excludes device `lo` by default.
 */
export function startNodeExporter(opts: NodeExporterOptions = {}): Promise<ExporterHandle> {
  return startExporter({
    name: 'node-exporter',
    binary: 'prometheus-node-exporter',
    timeoutMs: opts.timeoutMs,
    args: (listen) => [
      `--web.listen-address=${listen}`,
      '--no-collector.systemd',
      '--no-collector.textfile',
      ...(opts.extraArgs ?? []),
    ],
  });
}

export interface PostgresExporterOptions {
  /** A DSN such as `postgresql://postgres@127.0.0.1:5432/nanoe?sslmode=disable`; `sslmode=disable` is added when absent. */
  dsn: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

export function startPostgresExporter(opts: PostgresExporterOptions): Promise<ExporterHandle> {
  let dsn = opts.dsn;
  if (!/[?&]sslmode=/.test(dsn)) dsn += (dsn.includes('?') ? '&' : '?') + 'sslmode=disable';
  return startExporter({
    name: 'postgres-exporter',
    binary: 'prometheus-postgres-exporter',
    timeoutMs: opts.timeoutMs,
    env: { DATA_SOURCE_NAME: dsn, DATA_SOURCE_URI: undefined, DATA_SOURCE_USER: undefined, DATA_SOURCE_PASS: undefined },
    args: (listen) => [`--web.listen-address=${listen}`, ...(opts.extraArgs ?? [])],
  });
}

export interface RedisExporterOptions {
  /** `redis://127.0.0.1:<port>` */
  redisAddr: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

export function startRedisExporter(opts: RedisExporterOptions): Promise<ExporterHandle> {
  return startExporter({
    name: 'redis-exporter',
    binary: 'prometheus-redis-exporter',
    timeoutMs: opts.timeoutMs,
    env: { REDIS_ADDR: undefined, REDIS_PASSWORD: undefined },
    args: (listen) => [`-redis.addr=${opts.redisAddr}`, `-web.listen-address=${listen}`, ...(opts.extraArgs ?? [])],
  });
}

export interface Exporters {
  node: ExporterHandle;
  postgres: ExporterHandle;
  redis: ExporterHandle;
  /** Stops all three (in parallel). */
  stop(): Promise<void>;
}

/** Starts all three exporters in parallel; if one fails the others are stopped again. */
export async function startExporters(opts: { postgresDsn: string; redisAddr: string }): Promise<Exporters> {
  const results = await Promise.allSettled([
    startNodeExporter(),
    startPostgresExporter({ dsn: opts.postgresDsn }),
    startRedisExporter({ redisAddr: opts.redisAddr }),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  const [node, postgres, redis] = results.map((r) => (r as PromiseFulfilledResult<ExporterHandle>).value);
  return {
    node,
    postgres,
    redis,
    stop: async () => {
      await Promise.all([node.stop(), postgres.stop(), redis.stop()]);
    },
  };
}

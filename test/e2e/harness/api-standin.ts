/**
 * An in-process HTTP service on 127.0.0.1:<free port> standing in for the
 * Nanoe API, instrumented with prom-client like a promhttp-style Go service:
 *   counter   http_requests_total{code,method}
 *   histogram http_request_duration_seconds{code,method} (buckets include 1 s)
 *   process/nodejs default metrics (process_resident_memory_bytes, …)
 * served on /metrics (own registry per instance, so several can coexist).
 * Every other path is "the API": it answers after the configured latency and
 * fails with the configured fraction of 5xx responses (deterministically: with
 * errorFraction 0.25 exactly every 4th request fails).
 */
import * as http from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HOST, assertLoopback, listenOnLoopback, sleep, type HttpHandle } from './common';

export const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ApiStandinOptions {
  /** Counter name (default `http_requests_total`). */
  requestsMetric?: string;
  /** Histogram name (default `http_request_duration_seconds`). */
  durationMetric?: string;
  /** Status-code label name (default `code`). */
  codeLabel?: string;
  /** Method label name (default `method`); values are lower-case like promhttp's (`get`). */
  methodLabel?: string;
  /** Histogram buckets (default [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]). */
  buckets?: number[];
  /** Fraction of API requests answered with `errorCode` (0..1, default 0). */
  errorFraction?: number;
  /** Status code of failed requests (default 500). */
  errorCode?: number;
  /** Latency of API requests in seconds, fixed or drawn per request (default 0). */
  latencySeconds?: number | (() => number);
  /** Register prom-client's default process/nodejs metrics (default true). */
  defaultMetrics?: boolean;
}

export interface TrafficOptions {
  /** Requests per second (1..5000). */
  rps: number;
  /** Duration in seconds (0 < s <= 600); the generator stops by itself. */
  seconds: number;
  /** Request path (default `/api/orders`). */
  path?: string;
  /** HTTP method (default GET). */
  method?: string;
  /** Max concurrent connections (default 64). */
  maxSockets?: number;
}

export interface TrafficResult {
  /** Requests sent. */
  sent: number;
  /** Responses by status code. */
  byCode: Record<string, number>;
  /** 2xx responses. */
  ok: number;
  /** Non-2xx responses. */
  errors: number;
  /** Requests that got no response (connection error / timeout). */
  failed: number;
  durationMs: number;
}

export interface ApiStandinHandle extends HttpHandle {
  /** `http://127.0.0.1:<port>/metrics` */
  readonly metricsUrl: string;
  readonly registry: Registry;
  readonly startupMs: number;
  setErrorFraction(fraction: number): void;
  setLatency(seconds: number | (() => number)): void;
  /** Sends `rps` requests per second for `seconds` seconds to this service (127.0.0.1 only), then resolves. */
  generateTraffic(opts: TrafficOptions): Promise<TrafficResult>;
}

function clampFraction(f: number): number {
  if (!Number.isFinite(f)) throw new Error(`errorFraction must be a number in [0,1], got ${f}`);
  return Math.min(1, Math.max(0, f));
}

/**
 * Sends a bounded amount of traffic to `url` (must be 127.0.0.1): rps × seconds
 * requests spread evenly, then waits for the outstanding responses (each with
 * a timeout) and returns the tally.
 */
export async function generateTraffic(url: string, opts: TrafficOptions): Promise<TrafficResult> {
  const target = assertLoopback(url);
  const rps = Math.floor(opts.rps);
  if (!(rps >= 1 && rps <= 5000)) throw new Error(`rps must be in 1..5000, got ${opts.rps}`);
  if (!(opts.seconds > 0 && opts.seconds <= 600)) throw new Error(`seconds must be in (0, 600], got ${opts.seconds}`);
  const total = Math.max(1, Math.round(rps * opts.seconds));
  const durationMs = opts.seconds * 1000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const result: TrafficResult = { sent: 0, byCode: {}, ok: 0, errors: 0, failed: 0, durationMs: 0 };
  const pending = new Set<Promise<void>>();
  const reqPath = opts.path ?? '/api/orders';

  const sendOne = () =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { host: HOST, port: target.port, path: reqPath, method: opts.method ?? 'GET', agent, timeout: 30_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            const code = String(res.statusCode ?? 0);
            result.byCode[code] = (result.byCode[code] ?? 0) + 1;
            if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) result.ok++;
            else result.errors++;
            resolve();
          });
          res.on('error', () => {
            result.failed++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        result.failed++;
        resolve();
      });
      req.end();
    });

  const started = Date.now();
  const tickMs = 10;
  const maxTicks = Math.ceil(durationMs / tickMs) + 1000; // hard bound on loop iterations
  try {
    for (let tick = 0; tick < maxTicks && result.sent < total; tick++) {
      const elapsed = Date.now() - started;
      // Spread evenly: request i goes out at i/rps seconds.
      const due = Math.min(total, Math.floor((elapsed / 1000) * rps) + 1);
      while (result.sent < due) {
        result.sent++;
        const p = sendOne();
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (elapsed > durationMs + 5000) break; // never overrun by more than a few seconds
      if (result.sent < total) await sleep(tickMs);
    }
    await Promise.all([...pending]);
  } finally {
    agent.destroy();
  }
  result.durationMs = Date.now() - started;
  return result;
}

export async function startApiStandin(opts: ApiStandinOptions = {}): Promise<ApiStandinHandle> {
  const t0 = Date.now();
  const codeLabel = opts.codeLabel ?? 'code';
  const methodLabel = opts.methodLabel ?? 'method';
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: opts.requestsMetric ?? 'http_requests_total',
    help: 'HTTP requests handled, by status code and method.',
    labelNames: [codeLabel, methodLabel],
    registers: [registry],
  });
  const duration = new Histogram({
    name: opts.durationMetric ?? 'http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by status code and method.',
    labelNames: [codeLabel, methodLabel],
    buckets: opts.buckets ?? DEFAULT_BUCKETS,
    registers: [registry],
  });

  let errorFraction = clampFraction(opts.errorFraction ?? 0);
  let errorAcc = 0;
  const errorCode = opts.errorCode ?? 500;
  let latency: number | (() => number) = opts.latencySeconds ?? 0;
  const delayed = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    if (req.url === '/metrics' && req.method === 'GET') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((e: Error) => res.writeHead(500).end(e.message));
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    const start = process.hrtime.bigint();
    req.resume();
    errorAcc += errorFraction;
    let status = 200;
    if (errorAcc >= 1 - 1e-9) {
      errorAcc -= 1;
      status = errorCode;
    }
    const seconds = Math.max(0, typeof latency === 'function' ? latency() : latency);
    const respond = () => {
      const body = status < 400 ? '{"ok":true}' : '{"error":"injected failure"}';
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      const labels = { [codeLabel]: String(status), [methodLabel]: (req.method ?? 'GET').toLowerCase() };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    if (seconds > 0) {
      const timer = setTimeout(() => {
        delayed.delete(timer);
        respond();
      }, Math.min(seconds, 300) * 1000);
      delayed.add(timer);
    } else respond();
  });
  server.keepAliveTimeout = 2000;

  const { port, url } = await listenOnLoopback(server);
  let stopped = false;

  return {
    port,
    address: `${HOST}:${port}`,
    url,
    metricsUrl: `${url}/metrics`,
    registry,
    startupMs: Date.now() - t0,
    setErrorFraction(f) {
      errorFraction = clampFraction(f);
      errorAcc = 0;
    },
    setLatency(s) {
      latency = s;
    },
    generateTraffic: (o) => generateTraffic(url, o),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of delayed) clearTimeout(t);
      delayed.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      registry.clear();
    },
  };
}

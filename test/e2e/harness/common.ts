/**
 * Shared plumbing for the e2e harness: binary lookup, free ports on 127.0.0.1,
 * spawning a daemon in its own process group with a bounded readiness poll,
 * stopping it (whole group, waited for), and a tiny HTTP client that only
 * talks to 127.0.0.1.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pinnedPath } from '../../support/pinned';

export const HOST = '127.0.0.1';
export const SETUP_HINT =
  'Run `bash scripts/setup-test-deps.sh` (as root, or with sudo) to install the e2e test dependencies.';

/** Every daemon handle has at least these. */
export interface Handle {
  /** Port on 127.0.0.1. */
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Stop the process group and wait for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface HttpHandle extends Handle {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

// ---------------------------------------------------------------------------
// Binaries

export class MissingBinaryError extends Error {
  constructor(name: string, looked: string[]) {
    super(`e2e harness: program '${name}' not found (looked in: ${looked.join(', ')}). ${SETUP_HINT}`);
    this.name = 'MissingBinaryError';
  }
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Absolute path of a program: a program versions.json pins comes only from the pinned releases
 * (never PATH: a test must run what the images run); anything else from PATH or the usual system
 * dirs. Throws MissingBinaryError.
 */
export function findBinary(name: string): string {
  const pinned = pinnedPath(name);
  if (pinned) return pinned;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    if (isExecutable(p)) return p;
  }
  throw new MissingBinaryError(name, ['PATH', ...SEARCH_DIRS]);
}

/** Directory with the newest PostgreSQL server binaries (initdb, postgres). `PG_BIN_DIR` overrides. */
export function findPostgresBinDir(): string {
  const override = process.env.PG_BIN_DIR;
  const candidates: string[] = [];
  if (override) candidates.push(override);
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    /* not installed */
  }
  for (const dir of candidates) {
    if (isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'))) return dir;
  }
  throw new MissingBinaryError('initdb/postgres', candidates.length ? candidates : ['/usr/lib/postgresql/*/bin']);
}

/** All programs the harness can start; throws one error naming every missing one. */
export function checkBinaries(): void {
  const missing: string[] = [];
  for (const b of [
    'prometheus',
    'prometheus-alertmanager',
    'prometheus-node-exporter',
    'prometheus-postgres-exporter',
    'prometheus-redis-exporter',
    'redis-server',
    'redis-cli',
    'psql',
  ]) {
    try {
      findBinary(b);
    } catch {
      missing.push(b);
    }
  }
  try {
    findPostgresBinDir();
  } catch {
    missing.push('initdb/postgres (/usr/lib/postgresql/*/bin)');
  }
  if (missing.length) {
    throw new Error(`e2e harness: missing programs: ${missing.join(', ')}. ${SETUP_HINT}`);
  }
}

// ---------------------------------------------------------------------------
// Ports

const handedOut = new Set<number>();

/** A port on 127.0.0.1 that was free a moment ago (kernel-chosen; never the same one twice per process). */
/** Starts an in-process HTTP server on a free port of 127.0.0.1 and returns where it listens. */
export async function listenOnLoopback(server: import('node:http').Server): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { port, url: `http://${HOST}:${port}` };
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('e2e harness: could not find a free port on 127.0.0.1');
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    const done = (open: boolean) => {
      sock.destroy();
      resolve(open);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------
// Temp dirs

const TMP_PREFIX = 'nanoe-e2e-';
const OWNER_FILE = '.nanoe-e2e-owner-pid';
let sweptStale = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp dirs left by earlier runs that were killed (their owner pid is gone). Once per process. */
function sweepStaleTempDirs(): void {
  if (sweptStale || process.env.NANOE_E2E_KEEP_TMP) return;
  sweptStale = true;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith(TMP_PREFIX));
  } catch {
    return;
  }
  for (const e of entries.slice(0, 1000)) {
    const dir = path.join(os.tmpdir(), e);
    try {
      const pid = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      /* no marker / not ours / already gone */
    }
  }
}

/** A fresh dir under os.tmpdir() named nanoe-e2e-<prefix>-XXXXXX, marked with this process's pid. */
export function makeTempDir(prefix: string): string {
  sweepStaleTempDirs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${TMP_PREFIX}${prefix}-`));
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

export function removeDir(dir: string): void {
  if (process.env.NANOE_E2E_KEEP_TMP) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

// ---------------------------------------------------------------------------
// Waiting

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves true when `p` settles within `ms`, false otherwise; leaves no timer behind. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Used in the timeout error. */
  what?: string;
}

/**
 * Polls `check` until it returns a value other than false/undefined/null, or
 * the timeout passes (bounded in time and in attempts). Exceptions from
 * `check` count as "not yet"; the last one is quoted in the timeout error.
 */
export async function waitUntil<T>(
  check: () => Promise<T | false | undefined | null> | T | false | undefined | null,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / Math.max(intervalMs, 1)) + 2;
  let lastError: unknown;
  for (let i = 0; i < maxAttempts; i++) {
    try {
      const v = await check();
      if (v !== false && v !== undefined && v !== null) return v as T;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'}${why}`);
}

// ---------------------------------------------------------------------------
// Processes

/** Keeps the last `maxBytes` of a stream's output. */
export class Tail {
  private buf = '';
  constructor(private readonly maxBytes = 8192) {}
  push(chunk: Buffer | string): void {
    this.buf += chunk.toString();
    if (this.buf.length > this.maxBytes) this.buf = this.buf.slice(this.buf.length - this.maxBytes);
  }
  lines(n = 30): string {
    return this.buf.split('\n').slice(-n - 1).join('\n').trimEnd();
  }
  toString(): string {
    return this.buf;
  }
}

/** Process groups still alive; killed with SIGKILL if the test process exits without stopping them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    liveGroups.clear();
  };
  process.once('exit', killAll);
  // Ctrl-C / kill of the test run: kill the daemons, then let the signal do
  // what it would have done (re-raise when nobody else handles it).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}

function groupAlive(pgid: number): boolean {
  return pidAlive(-pgid);
}

export interface Proc {
  readonly name: string;
  /** The command line, for messages. */
  readonly command: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout + stderr, interleaved, last 8 KiB. */
  readonly output: Tail;
  /** Set once the process has exited. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exitPromise: Promise<void>;
  /** Signal the whole group, wait for the leader to exit, SIGKILL stragglers. Idempotent. */
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Signal stop() sends by default (SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Data written to stdin; stdin stays open when `keepStdinOpen`. */
  keepStdinOpen?: boolean;
}

let setprivPath: string | null | undefined;
/** util-linux `setpriv`, used to give daemons a parent-death signal; null when absent. */
function setpriv(): string | null {
  if (setprivPath === undefined) {
    try {
      setprivPath = findBinary('setpriv');
    } catch {
      setprivPath = null;
    }
  }
  return setprivPath;
}

/**
 * Spawns `command` as the leader of a new process group, output captured into
 * a tail buffer. When util-linux `setpriv` exists the command runs under
 * `setpriv --pdeathsig SIGKILL`, so it dies with the test process even when
 * that is killed or jest exits without afterAll (jest sandboxes `process`, so
 * exit/signal hooks registered from a test file do not fire).
 */
export function spawnProc(spec: SpawnSpec): Proc {
  installExitHook();
  const sp = setpriv();
  const [command, args] = sp
    ? [sp, ['--pdeathsig', 'SIGKILL', '--', spec.command, ...spec.args]]
    : [spec.command, spec.args];
  const options: SpawnOptions = {
    cwd: spec.cwd ?? os.tmpdir(),
    env: spec.env ?? process.env,
    detached: true, // own process group: stop() signals -pid
    stdio: [spec.keepStdinOpen ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  };
  if (spec.uid !== undefined) options.uid = spec.uid;
  if (spec.gid !== undefined) options.gid = spec.gid;
  const child = spawn(command, args, options);
  const output = new Tail();
  child.stdout?.on('data', (d) => output.push(d));
  child.stderr?.on('data', (d) => output.push(d));
  let spawnError: Error | undefined;
  const proc: Proc = {
    name: spec.name,
    command: [spec.command, ...spec.args].join(' '),
    child,
    pid: child.pid ?? -1,
    output,
    exited: undefined,
    exitPromise: new Promise<void>((resolve) => {
      child.once('error', (e) => {
        spawnError = e;
        output.push(`\n[spawn error] ${e.message}\n`);
        if (!proc.exited) proc.exited = { code: null, signal: null };
        resolve();
      });
      child.once('exit', (code, signal) => {
        proc.exited = { code, signal };
        resolve();
      });
    }),
    async stop(opts = {}) {
      const pgid = proc.pid;
      if (pgid <= 0 || spawnError) return;
      const signal = opts.signal ?? spec.stopSignal ?? 'SIGTERM';
      const timeoutMs = opts.timeoutMs ?? 10_000;
      if (!proc.exited || groupAlive(pgid)) {
        try {
          process.kill(-pgid, signal);
        } catch {
          /* already gone */
        }
      }
      if (!(await settlesWithin(proc.exitPromise, timeoutMs))) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await settlesWithin(proc.exitPromise, 5000);
      }
      // Children of the leader (postgres backends, …) may outlive it briefly.
      for (let i = 0; i < 100 && groupAlive(pgid); i++) {
        if (i === 50) {
          try {
            process.kill(-pgid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await sleep(50);
      }
      liveGroups.delete(pgid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
    },
  };
  if (proc.pid > 0) liveGroups.add(proc.pid);
  return proc;
}

function describeExit(p: Proc): string {
  if (!p.exited) return 'still running';
  return p.exited.signal ? `killed by ${p.exited.signal}` : `exited with code ${p.exited.code}`;
}

export interface DaemonSpec {
  name: string;
  /** Builds the spawn spec for a port chosen by the harness. */
  build: (port: number) => SpawnSpec;
  /** Resolves true when ready; exceptions count as not ready yet. */
  ready: (port: number, proc: Proc) => Promise<boolean>;
  /** Fixed port instead of a free one. */
  port?: number;
  timeoutMs?: number;
  intervalMs?: number;
}

export interface Daemon {
  proc: Proc;
  port: number;
  /** Milliseconds from spawn to ready. */
  startupMs: number;
}

/**
 * Starts a daemon on a free 127.0.0.1 port and polls `ready` until it succeeds.
 * If the process dies early because the port got taken meanwhile, retries with
 * another port (at most 3 attempts). On failure the error carries the tail of
 * the daemon's output and the process group is gone.
 */
export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const timeoutMs = spec.timeoutMs ?? 20_000;
  const intervalMs = spec.intervalMs ?? 50;
  const attempts = spec.port ? 1 : 3;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = spec.port ?? (await freePort());
    const started = Date.now();
    const proc = spawnProc(spec.build(port));
    const deadline = started + timeoutMs;
    let readyErr: unknown;
    let ok = false;
    const maxPolls = Math.ceil(timeoutMs / intervalMs) + 2;
    for (let i = 0; i < maxPolls && Date.now() < deadline && !proc.exited; i++) {
      try {
        if (await spec.ready(port, proc)) {
          ok = true;
          break;
        }
      } catch (e) {
        readyErr = e;
      }
      await sleep(intervalMs);
    }
    if (ok && !proc.exited) {
      return { proc, port, startupMs: Date.now() - started };
    }
    const died = proc.exited !== undefined;
    await proc.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
    const tail = proc.output.lines(30);
    const reason = died
      ? `${spec.name} ${describeExit(proc)} before becoming ready`
      : `${spec.name} not ready within ${timeoutMs} ms on ${HOST}:${port}` +
        (readyErr instanceof Error ? ` (last check: ${readyErr.message})` : '');
    lastError = new Error(
      `e2e harness: ${reason}.\n  command: ${proc.command}\n` +
        `  output tail:\n${tail.replace(/^/gm, '    ') || '    (no output)'}`,
    );
    const portClash = /address already in use|bind: |could not bind|Address in use/i.test(tail);
    if (!(died && portClash)) break;
  }
  throw lastError ?? new Error(`e2e harness: ${spec.name} failed to start`);
}

// ---------------------------------------------------------------------------
// Running a short-lived command

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by timeoutMs), optionally feeding stdin. Rejects on non-zero exit. */
export function run(
  command: string,
  args: string[],
  opts: {
    input?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    cwd?: string;
    uid?: number;
    gid?: number;
    allowFailure?: boolean;
  } = {},
): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? os.tmpdir(),
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const res = { code, stdout, stderr };
      if (code === 0 || opts.allowFailure) resolve(res);
      else
        reject(
          new Error(
            `${path.basename(command)} ${signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : `exited ${code}`}: ${stderr.trim() || stdout.trim()}`,
          ),
        );
    });
    child.stdin.on('error', () => {
      /* EPIPE when the command exits early */
    });
    child.stdin.end(opts.input ?? '');
  });
}

// ---------------------------------------------------------------------------
// HTTP (127.0.0.1 only)

export interface HttpResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Throws unless `url` points at 127.0.0.1 / localhost (the harness never sends traffic elsewhere). */
export function assertLoopback(url: string | URL): URL {
  const u = typeof url === 'string' ? new URL(url) : url;
  if (!['127.0.0.1', 'localhost'].includes(u.hostname)) {
    throw new Error(`e2e harness: refusing to send traffic to ${u.hostname}; only 127.0.0.1 is allowed`);
  }
  return u;
}

/** One HTTP request to 127.0.0.1 with a timeout, no keep-alive (leaves no sockets behind). */
export function httpRequest(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  const u = assertLoopback(url);
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: HOST,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body).toString() } : {}),
          ...opts.headers,
        },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`HTTP ${opts.method ?? 'GET'} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** GET and parse JSON; throws on non-2xx. */
export async function httpJson<T = unknown>(
  url: string,
  opts: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<T> {
  const res = await httpRequest(url, {
    method: opts.method,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
    timeoutMs: opts.timeoutMs,
  });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`HTTP ${opts.method ?? 'GET'} ${url} -> ${res.status}: ${res.body.slice(0, 500)}`);
  }
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}

/** Readiness check helper: true when GET url answers 200. */
export async function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  const res = await httpRequest(url, { timeoutMs });
  return res.status === 200;
}

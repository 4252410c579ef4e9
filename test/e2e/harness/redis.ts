/**
 * A throw-away redis-server on 127.0.0.1:<free port>, no persistence (no RDB
 * snapshots, no AOF), working dir in a temp dir. Commands run via `redis-cli`.
 */
import {
  HOST,
  findBinary,
  makeTempDir,
  removeDir,
  run,
  startDaemon,
  type Handle,
} from './common';

export interface RedisOptions {
  /** `maxmemory` setting, e.g. '64mb' (default unset, so redis_memory_max_bytes is 0). */
  maxmemory?: string;
  /** Extra `--name value` settings. */
  settings?: Record<string, string>;
  timeoutMs?: number;
}

export interface RedisHandle extends Handle {
  /** `redis://127.0.0.1:<port>` (what redis-exporter's -redis.addr wants). */
  readonly url: string;
  readonly startupMs: number;
  /** Runs one command via redis-cli; returns its raw stdout, trimmed. Example: cli('SET', 'k', 'v'). */
  cli(...args: string[]): Promise<string>;
  /** Runs many commands in one redis-cli call (one command per array, e.g. [['SET','a','1'],['GET','a']]). */
  pipeline(commands: string[][]): Promise<string[]>;
}

function quote(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisHandle> {
  const server = findBinary('redis-server');
  const cliBin = findBinary('redis-cli');
  const dir = makeTempDir('redis');
  try {
    const settings: Record<string, string> = {
      bind: HOST,
      'protected-mode': 'yes',
      save: '',
      appendonly: 'no',
      dir,
      daemonize: 'no',
      loglevel: 'notice',
      ...(opts.maxmemory ? { maxmemory: opts.maxmemory } : {}),
      ...opts.settings,
    };
    const cliArgs = (port: number) => ['-h', HOST, '-p', String(port)];
    const daemon = await startDaemon({
      name: 'redis-server',
      timeoutMs: opts.timeoutMs ?? 10_000,
      build: (port) => ({
        name: 'redis-server',
        command: server,
        args: ['--port', String(port), ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, v])],
        cwd: dir,
      }),
      ready: async (port) =>
        (await run(cliBin, [...cliArgs(port), 'PING'], { allowFailure: true, timeoutMs: 2000 })).stdout.trim() === 'PONG',
    });
    const { proc, port } = daemon;
    const cli = async (...args: string[]) =>
      (await run(cliBin, [...cliArgs(port), ...args], { timeoutMs: 15_000 })).stdout.trim();
    return {
      port,
      address: `${HOST}:${port}`,
      url: `redis://${HOST}:${port}`,
      startupMs: daemon.startupMs,
      cli,
      async pipeline(commands) {
        if (commands.length === 0) return [];
        const input = commands.map((c) => c.map(quote).join(' ')).join('\n') + '\n';
        const res = await run(cliBin, cliArgs(port), { input, timeoutMs: 30_000 });
        return res.stdout.split('\n').filter((l) => l !== '');
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

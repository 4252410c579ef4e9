/**
 * A throw-away PostgreSQL server on 127.0.0.1:<free port>.
 *
 * initdb runs as user `postgres` (when the tests run as root; otherwise as the
 * current user) into a temp dir it owns, trust auth, no Unix socket, fsync off.
 * A database `nanoe` with table `orders` (100 rows) is created. SQL runs
 * through `psql` over TCP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HOST,
  findBinary,
  findPostgresBinDir,
  makeTempDir,
  removeDir,
  run,
  settlesWithin,
  spawnProc,
  startDaemon,
  waitUntil,
  type Handle,
  type Proc,
} from './common';

export const PG_DATABASE = 'nanoe';
export const PG_TABLE = 'orders';
export const PG_SUPERUSER = 'postgres';

export interface PostgresOptions {
  /** Rows inserted into `orders` at start (default 100). */
  seedRows?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Readiness timeout in ms (default 20000). */
  timeoutMs?: number;
}

export interface WorkloadSpec {
  /** Rows inserted (one INSERT … SELECT generate_series). */
  inserts?: number;
  /** Rows updated. */
  updates?: number;
  /** Rows deleted. */
  deletes?: number;
  /** Separate SELECT statements (each its own committed transaction). */
  selects?: number;
  /** Transactions that insert a row and ROLL BACK. */
  rollbacks?: number;
}

export interface OpenTransaction {
  /** Backend PID of the session holding the transaction. */
  readonly backendPid: number;
  readonly applicationName: string;
  /** Ends the transaction (ROLLBACK) and the psql session. Idempotent. */
  close(): Promise<void>;
}

export interface PostgresHandle extends Handle {
  readonly database: string;
  readonly user: string;
  readonly dataDir: string;
  /** ms from spawning `postgres` to accepting connections (initdb not included). */
  readonly startupMs: number;
  /** ms spent in initdb. */
  readonly initdbMs: number;
  /** `postgresql://postgres@127.0.0.1:<port>/<db>?sslmode=disable` */
  dsn(database?: string): string;
  /** Runs SQL (one or many statements) through psql; returns unaligned, tuples-only stdout, trimmed. */
  sql(query: string, opts?: { database?: string; timeoutMs?: number }): Promise<string>;
  /** Runs a query and splits the result into rows of fields (psql unaligned output, `|`-separated). */
  rows(query: string, opts?: { database?: string }): Promise<string[][]>;
  /** Generates inserts/updates/deletes/selects/rollbacks on `orders`. */
  workload(spec: WorkloadSpec): Promise<void>;
  /** Opens a session that stays "idle in transaction" until close() (drives pg_stat_activity_max_tx_duration). */
  openTransaction(opts?: { database?: string; timeoutMs?: number }): Promise<OpenTransaction>;
}

interface Account {
  uid: number;
  gid: number;
}

function lookupUser(name: string): Account | undefined {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    /* no passwd */
  }
  return undefined;
}

/** process.env without PG* variables, so nothing outside the harness steers psql. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, PGCONNECT_TIMEOUT: '5', LC_ALL: 'C', ...extra };
}

let txCounter = 0;

export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresHandle> {
  const binDir = findPostgresBinDir();
  const psql = fs.existsSync(path.join(binDir, 'psql')) ? path.join(binDir, 'psql') : findBinary('psql');
  const pgIsReady = path.join(binDir, 'pg_isready');

  // Run as `postgres` when root (postgres refuses to run as root).
  let account: Account | undefined;
  if (process.getuid?.() === 0) {
    account = lookupUser(PG_SUPERUSER);
    if (!account) {
      throw new Error("e2e harness: running as root but there is no 'postgres' user. Run `bash scripts/setup-test-deps.sh`.");
    }
  }

  const dir = makeTempDir('pg');
  const dataDir = path.join(dir, 'data');
  const openTx = new Set<OpenTransaction>();
  let server: Proc | undefined;
  try {
    fs.chmodSync(dir, 0o700);
    if (account) fs.chownSync(dir, account.uid, account.gid);

    const t0 = Date.now();
    await run(
      path.join(binDir, 'initdb'),
      ['-D', dataDir, '-U', PG_SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { cwd: dir, env: cleanEnv(), uid: account?.uid, gid: account?.gid, timeoutMs: 60_000 },
    ).catch((e: Error) => {
      throw new Error(`e2e harness: initdb failed: ${e.message}`);
    });
    const initdbMs = Date.now() - t0;

    const settings: Record<string, string> = {
      listen_addresses: HOST,
      unix_socket_directories: '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '50',
      ...opts.settings,
    };
    const daemon = await startDaemon({
      name: 'postgres',
      timeoutMs: opts.timeoutMs ?? 20_000,
      intervalMs: 100,
      build: (port) => ({
        name: 'postgres',
        command: path.join(binDir, 'postgres'),
        args: ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
        cwd: dir,
        env: cleanEnv(),
        uid: account?.uid,
        gid: account?.gid,
        stopSignal: 'SIGINT', // fast shutdown
      }),
      ready: async (port) =>
        (await run(pgIsReady, ['-h', HOST, '-p', String(port), '-t', '1'], { env: cleanEnv(), allowFailure: true, timeoutMs: 3000 }))
          .code === 0,
    });
    server = daemon.proc;
    const port = daemon.port;

    const psqlArgs = (database: string) => [
      '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', HOST, '-p', String(port), '-U', PG_SUPERUSER, '-d', database,
    ];
    const sql = async (query: string, o: { database?: string; timeoutMs?: number } = {}) => {
      const res = await run(psql, [...psqlArgs(o.database ?? PG_DATABASE), '-f', '-'], {
        input: query,
        env: cleanEnv(),
        timeoutMs: o.timeoutMs ?? 30_000,
      });
      return res.stdout.trim();
    };

    await sql(`CREATE DATABASE ${PG_DATABASE};`, { database: 'postgres' });
    const seed = Math.max(0, Math.floor(opts.seedRows ?? 100));
    await sql(`
      CREATE TABLE ${PG_TABLE} (
        id         bigserial PRIMARY KEY,
        customer   text NOT NULL,
        amount     numeric(10,2) NOT NULL,
        status     text NOT NULL DEFAULT 'new',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO ${PG_TABLE} (customer, amount)
        SELECT 'customer-' || g, (g % 100) + 0.99 FROM generate_series(1, ${seed}) g;
    `);

    const handle: PostgresHandle = {
      port,
      address: `${HOST}:${port}`,
      database: PG_DATABASE,
      user: PG_SUPERUSER,
      dataDir,
      startupMs: daemon.startupMs,
      initdbMs,
      dsn: (database = PG_DATABASE) => `postgresql://${PG_SUPERUSER}@${HOST}:${port}/${database}?sslmode=disable`,
      sql,
      async rows(query, o = {}) {
        const out = await sql(query, o);
        return out === '' ? [] : out.split('\n').map((l) => l.split('|'));
      },
      async workload(spec) {
        const n = (v: number | undefined) => Math.max(0, Math.min(100_000, Math.floor(v ?? 0)));
        const parts: string[] = [];
        if (n(spec.inserts))
          parts.push(
            `INSERT INTO ${PG_TABLE} (customer, amount) SELECT 'load-' || g, g % 50 FROM generate_series(1, ${n(spec.inserts)}) g;`,
          );
        if (n(spec.updates))
          parts.push(
            `UPDATE ${PG_TABLE} SET status = 'paid', amount = amount + 1 WHERE id IN (SELECT id FROM ${PG_TABLE} ORDER BY id DESC LIMIT ${n(spec.updates)});`,
          );
        if (n(spec.deletes))
          parts.push(
            `DELETE FROM ${PG_TABLE} WHERE id IN (SELECT id FROM ${PG_TABLE} ORDER BY id ASC LIMIT ${n(spec.deletes)});`,
          );
        for (let i = 0; i < n(spec.selects); i++) parts.push(`SELECT count(*) FROM ${PG_TABLE} WHERE amount > ${i % 100};`);
        for (let i = 0; i < n(spec.rollbacks); i++)
          parts.push(`BEGIN; INSERT INTO ${PG_TABLE} (customer, amount) VALUES ('rolled-back', 0); ROLLBACK;`);
        if (parts.length) await sql(parts.join('\n'), { timeoutMs: 60_000 });
      },
      async openTransaction(o = {}) {
        const applicationName = `nanoe-e2e-open-tx-${process.pid}-${++txCounter}`;
        const client = spawnProc({
          name: 'psql (open transaction)',
          command: psql,
          args: psqlArgs(o.database ?? PG_DATABASE),
          env: cleanEnv({ PGAPPNAME: applicationName }),
          keepStdinOpen: true,
        });
        client.child.stdin?.on('error', () => {
          /* EPIPE if psql died */
        });
        client.child.stdin?.write(`BEGIN;\nSELECT count(*) FROM ${PG_TABLE};\n`);
        let backendPid: number;
        try {
          backendPid = await waitUntil(
            async () => {
              if (client.exited) throw new Error(`psql exited: ${client.output.lines(5)}`);
              const out = await sql(
                `SELECT pid FROM pg_stat_activity WHERE application_name = '${applicationName}' AND state = 'idle in transaction';`,
                { database: 'postgres' },
              );
              return out ? Number(out.split('\n')[0]) : false;
            },
            { timeoutMs: o.timeoutMs ?? 10_000, intervalMs: 100, what: 'the open transaction to show up in pg_stat_activity' },
          );
        } catch (e) {
          await client.stop({ signal: 'SIGKILL' });
          throw e;
        }
        let closed = false;
        const tx: OpenTransaction = {
          backendPid,
          applicationName,
          async close() {
            if (closed) return;
            closed = true;
            openTx.delete(tx);
            client.child.stdin?.end('ROLLBACK;\n\\q\n');
            await settlesWithin(client.exitPromise, 5000);
            await client.stop({ signal: 'SIGKILL' });
          },
        };
        openTx.add(tx);
        return tx;
      },
      async stop() {
        for (const tx of [...openTx]) await tx.close().catch(() => undefined);
        await server?.stop();
        removeDir(dir);
      },
    };
    return handle;
  } catch (e) {
    for (const tx of [...openTx]) await tx.close().catch(() => undefined);
    await server?.stop();
    removeDir(dir);
    throw e;
  }
}

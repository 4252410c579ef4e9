/**
 * Issue 16 point 3, for real: the pinned redis_exporter, started with exactly the args and env the
 * output renders for the Redis sidecar (only the mount path, the Redis address and the listen port
 * are local), against a real redis-server with `requirepass` on 127.0.0.1. The password file is
 * what the kubelet would project from the rendered volume: its sources in order, a later one
 * replacing an earlier one at the same path (pkg/volume/projected/projected.go `collectData`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { buildDefault, find, objectsOf } from '../support/app';
import { pinnedBinary, PROJECT_ROOT } from '../support/pinned';
import { findBinary, freePort, HOST, httpRequest, makeTempDir, removeDir, run, startDaemon, startRedis, waitUntil, type Daemon, type RedisHandle } from './harness';

/** With the characters a hand-written JSON map or a shell would get wrong. */
const PASSWORD = `e2e "pw" \\ $HOME '7f3a91`;
const RENDERED_ADDR = 'redis://localhost:6379';

const template = find(objectsOf(buildDefault()[0]), 'StatefulSet', 'redis', 'nanoe').spec.template;
const container = template.spec.containers.find((c: any) => c.name === 'redis-exporter');
const mount = container.volumeMounts[0];
const volume = template.spec.volumes.find((v: any) => v.name === mount.name);

/** The files the kubelet writes for the rendered projected volume, given the Secret's data (or no Secret). */
function project(secret: Record<string, string> | undefined): Record<string, string> {
  const files: Record<string, string> = {};
  for (const s of volume.projected.sources) {
    if (s.downwardAPI) {
      for (const item of s.downwardAPI.items) {
        const key = /^metadata\.annotations\['(.+)'\]$/.exec(item.fieldRef.fieldPath)![1];
        files[item.path] = template.metadata.annotations[key] ?? '';
      }
    } else if (s.secret) {
      if (!secret && !s.secret.optional) throw new Error('a required Secret is missing: the pod would not start');
      Object.assign(files, secret ?? {});
    } else {
      throw new Error(`unexpected projection ${JSON.stringify(s)}`);
    }
  }
  return files;
}

/** The rendered args and env with the local mount path, Redis address and listen port. */
function localCommand(dir: string, redis: RedisHandle, port: number): { args: string[]; env: Record<string, string> } {
  const args = (container.args as string[]).map((a) => a.split(mount.mountPath).join(dir).replace(RENDERED_ADDR, redis.url));
  const env: Record<string, string> = {};
  for (const e of container.env) env[e.name] = e.name === 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS' ? `${HOST}:${port}` : e.value;
  return { args, env };
}

let redis: RedisHandle;
let openRedis: RedisHandle;
const dirs: string[] = [];
const daemons: Daemon[] = [];

beforeAll(async () => {
  [redis, openRedis] = await Promise.all([startRedis(), startRedis()]);
  await redis.cli('CONFIG', 'SET', 'requirepass', PASSWORD);
}, 30_000);
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.proc.stop()));
  await Promise.all([redis?.stop(), openRedis?.stop()]);
  dirs.forEach(removeDir);
});

/** Starts the exporter on the projected files; returns its redis_up and the daemon. */
async function exporterWith(files: Record<string, string>, target: RedisHandle): Promise<{ up: string; daemon: Daemon }> {
  const dir = makeTempDir('redis-pwfile');
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: volume.projected.defaultMode });
  const daemon = await startDaemon({
    name: 'redis-exporter', timeoutMs: 10_000,
    build: (port) => ({ name: 'redis-exporter', command: pinnedBinary('prometheus-redis-exporter'), ...localCommand(dir, target, port) }),
    ready: async (port) => (await httpRequest(`http://${HOST}:${port}/health`, { timeoutMs: 1000 }).catch(() => undefined))?.status === 200,
  });
  daemons.push(daemon);
  let up = '';
  await waitUntil(async () => {
    const body = (await httpRequest(`http://${HOST}:${daemon.port}/metrics`, { timeoutMs: 5000 })).body;
    up = /^redis_up (\d)$/m.exec(body)?.[1] ?? '';
    return up !== '';
  }, { timeoutMs: 15_000, intervalMs: 250, what: 'redis_up on the exporter' });
  return { up, daemon };
}

const secretFor = (r: RedisHandle, password: string) => ({ 'password-file': JSON.stringify({ [r.url]: password }) });

describe('redis_exporter 1.86.0 with the rendered --redis.password-file', () => {
  test('the rendered exporter takes the password only from the file', () => {
    expect(container.args).toEqual([`--redis.addr=${RENDERED_ADDR}`, `--redis.password-file=${mount.mountPath}/password-file`]);
    expect(container.env.map((e: any) => e.name)).toEqual(['REDIS_EXPORTER_WEB_LISTEN_ADDRESS']);
  });

  test('the right password: redis_up 1, and neither its environment nor its command line holds the password', async () => {
    const { up, daemon } = await exporterWith(project(secretFor(redis, PASSWORD)), redis);
    expect(up).toBe('1');
    const environ = readFileSync(`/proc/${daemon.proc.pid}/environ`, 'utf8');
    const cmdline = readFileSync(`/proc/${daemon.proc.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('--redis.password-file=');
    expect(environ).toContain('REDIS_EXPORTER_WEB_LISTEN_ADDRESS=');
    expect([environ.includes(PASSWORD), cmdline.includes(PASSWORD)]).toEqual([false, false]);
  }, 30_000);

  test("the README's jq command builds a map the exporter reads (a password with quotes, backslash, $ and spaces)", async () => {
    const program = /REDIS_PASSWORD='…' jq -cn '([^']+)' \|\n\s+kubectl -n nanoe create secret generic redis-exporter-credentials --from-file=password-file=\/dev\/stdin\n/
      .exec(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'))?.[1];
    expect(program).toBe(`{"${RENDERED_ADDR}": env.REDIS_PASSWORD}`);
    const made = await run(findBinary('jq'), ['-cn', program!.replace(RENDERED_ADDR, redis.url)], { env: { REDIS_PASSWORD: PASSWORD }, timeoutMs: 5000 });
    expect(JSON.parse(made.stdout)).toEqual({ [redis.url]: PASSWORD });
    expect((await exporterWith(project({ 'password-file': made.stdout }), redis)).up).toBe('1');
  }, 30_000);

  test('a wrong password: redis_up 0', async () => {
    expect((await exporterWith(project(secretFor(redis, 'wrong')), redis)).up).toBe('0');
  }, 30_000);

  test('no Secret (or the old key `password` only): the annotation\'s {} is the file; the exporter runs, redis_up 0 with AUTH and 1 without', async () => {
    expect(project(undefined)).toEqual({ 'password-file': '{}' });
    expect((await exporterWith(project(undefined), redis)).up).toBe('0');
    expect((await exporterWith(project({ password: PASSWORD }), redis)).up).toBe('0');
    expect((await exporterWith(project(undefined), openRedis)).up).toBe('1');
  }, 60_000);

  test('an address key that is not the --redis.addr string (here with a trailing slash) is not found: redis_up 0', async () => {
    expect((await exporterWith(project({ 'password-file': JSON.stringify({ [`${redis.url}/`]: PASSWORD }) }), redis)).up).toBe('0');
  }, 30_000);

  test('without the fallback a missing file stops the exporter at start (why the volume always has one)', async () => {
    const dir = makeTempDir('redis-pwfile');
    dirs.push(dir);
    const { args, env } = localCommand(dir, redis, await freePort());
    const r = await run(pinnedBinary('prometheus-redis-exporter'), args, { env, allowFailure: true, timeoutMs: 10_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/level=fatal msg="Error loading redis passwords from file .*no such file or directory/);
  }, 30_000);
});

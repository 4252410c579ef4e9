/**
 * Every flag proven on the release the image runs: each container in the output whose program has
 * a Debian build of the pinned release (versions.json) is started with exactly the arguments and
 * environment its container gets — in every environment, and with every option on. Only what a
 * pod provides differently here is changed: mount paths point into a temp folder (host paths to the
 * host's own), listen ports are free ports on 127.0.0.1, and Secret values are placeholders.
 * The program must start, serve HTTP, and log no complaint about a flag.
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { buildAllVariants, find, K8sObject, podSpecOf, WORKLOAD_KINDS } from '../support/app';
import { pinnedBinary, VERSION_TABLE } from '../support/pinned';
import { freePort, HOST } from './harness/common';

/** Log lines by which a program says it ignored or rejected a flag or a flag value. */
const FLAG_COMPLAINT = /unknown (long |short )?flag|unknown option|flag provided but not defined|expected argument for flag|invalid value|deprecated/i;

/** The image repository (no tag) → its component in versions.json, for components with a Debian build. */
const PACKAGED = new Map(
  Object.entries(VERSION_TABLE.components)
    .filter(([, c]) => c.debian)
    .map(([name, c]) => [c.image.split(':').slice(0, -1).join(':'), { name, binary: Object.keys(c.debian!.binaries)[0] }]),
);

/**
 * Files an operator creates in a Secret: a placeholder the program accepts. The bcrypt hash is of
 * the word "placeholder" (web config format: prometheus/exporter-toolkit docs/web-configuration.md).
 */
const OPERATOR_FILES: Record<string, string> = {
  'web-config.yml': 'basic_auth_users:\n  nanoe: $2b$10$0S4t9B9gJw3cJwGuRM6nze5nlDv0v9OhJYU8UEnpd6GJUGnue6KEC\n',
  'alertmanager.yml': 'route: { receiver: default }\nreceivers: [{ name: default }]\n',
  // redis_exporter's --redis.password-file: a JSON map from Redis address to password (exporter/pwd_file.go).
  'password-file': '{"redis://localhost:6379":"placeholder"}\n',
};

interface Case {
  label: string;
  component: string;
  binary: string;
  args: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  listen: { arg?: number; env?: string };
}

/** Kubernetes `$(VAR)` expansion of args from the container's env. */
const expand = (s: string, env: Record<string, string>) => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => env[v] ?? m);

function caseOf(label: string, objects: K8sObject[], spec: any, c: any, root: string): Case | undefined {
  const image = String(c.image);
  const pkg = PACKAGED.get(image.split(':').slice(0, -1).join(':'));
  if (!pkg) return undefined;
  if (c.command) throw new Error(`${label}/${c.name}: a command overrides the image entrypoint; this test runs the entrypoint's program`);
  // Mount paths → where that volume's content is here. Longest first, so nested mounts win.
  const mounts: { from: string; to: string; volume: any }[] = (c.volumeMounts ?? []).map((m: any) => {
    const volume = spec.volumes?.find((v: any) => v.name === m.name) ?? { name: m.name, persistentVolumeClaim: {} };
    const to = volume.hostPath ? volume.hostPath.path : join(root, m.mountPath);
    return { from: m.mountPath as string, to, volume };
  }).sort((a: { from: string }, b: { from: string }) => b.from.length - a.from.length);
  // A mount path only where it starts a path (after `=`, a space, a quote or the start), never inside another.
  const rewrite = (s: string) => {
    for (const m of mounts) {
      const at = new RegExp(`(?<=^|[=\\s"':,])${m.from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[\\s"',])`, 'g');
      s = s.replace(at, m.to);
    }
    return s.replace(/(?<=^|[=\s"':,])\/\//g, '/');
  };
  const files: Record<string, string> = {};
  for (const m of mounts) {
    if (m.volume.hostPath) continue;
    mkdirSync(m.to, { recursive: true });
    if (m.volume.configMap) {
      const cm = find(objects, 'ConfigMap', m.volume.configMap.name);
      for (const [k, v] of Object.entries(cm.data ?? {})) files[join(m.to, k)] = rewrite(String(v));
    }
  }
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    // status.podIP is the pod's address: here, the loopback address the program listens on.
    env[e.name] = e.value !== undefined ? rewrite(expand(String(e.value), env)) : field === 'status.podIP' ? HOST : field ? `${label.replace(/[^a-z0-9-]/g, '-')}-0` : 'placeholder';
  }
  let listenArg: number | undefined;
  const args = (c.args ?? []).map((a: string) => {
    const m = /^(--web\.listen-address)=(?:\$\([A-Z_]+\))?:(\d+)$/.exec(a); // `$(NODE_IP):9100`: the node's IP, here 127.0.0.1
    if (m) return `${m[1]}=${HOST}:${(listenArg = -1)}`;
    // Alertmanager's gossip port is a listen port too: moved to a free one (`-2`), like the web port.
    const gossip = /^(--cluster\.(?:listen|advertise)-address)=[^:]*:(\d+)$/.exec(expand(a, env));
    if (gossip) return `${gossip[1]}=${HOST}:-2`;
    return rewrite(expand(a, env));
  });
  // Secret files the config or the args name: placeholders (a well-formed file where the format matters).
  const texts = [...args, ...Object.values(files), ...Object.values(env)].join('\n');
  for (const m of mounts) {
    if (!m.volume.secret && !m.volume.projected?.sources?.some((x: any) => x.secret)) continue;
    for (const hit of texts.matchAll(new RegExp(`${m.to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([\\w.-]+)`, 'g'))) {
      files[join(m.to, hit[1])] = OPERATOR_FILES[hit[1]] ?? 'placeholder';
    }
  }
  const listenEnv = Object.keys(env).find((k) => /WEB_LISTEN_ADDRESS$/.test(k));
  return { label: `${label}: ${c.name} (${image})`, component: pkg.name, binary: pkg.binary, args, env, files, listen: { arg: listenArg, env: listenEnv } };
}

function collectCases(root: string): Case[] {
  const seen = new Map<string, Case>();
  for (const { label, objects } of buildAllVariants()) {
    for (const o of objects) {
      if (!WORKLOAD_KINDS.has(o.kind)) continue;
      const spec = podSpecOf(o);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const k = caseOf(`${label}/${o.kind}/${o.metadata.name}`, objects, spec, c, join(root, String(seen.size)));
        if (!k) continue;
        const key = JSON.stringify([k.binary, k.args.map((a) => a.split(root).join('')), Object.keys(k.env).sort()]);
        if (!seen.has(key)) seen.set(key, k);
      }
    }
  }
  return [...seen.values()];
}

async function run(k: Case): Promise<{ served: boolean; exited: number | null; log: string }> {
  for (const [path, text] of Object.entries(k.files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  const port = await freePort();
  const gossipPort = await freePort();
  const args = k.args.map((a) => a.replace(`${HOST}:-1`, `${HOST}:${port}`).replace(`${HOST}:-2`, `${HOST}:${gossipPort}`));
  const env = { PATH: process.env.PATH ?? '', ...k.env, ...(k.listen.env ? { [k.listen.env]: `${HOST}:${port}` } : {}) };
  if (k.listen.arg === undefined && !k.listen.env) args.push(`--web.listen-address=${HOST}:${port}`); // the image default port, moved
  const child = spawn(pinnedBinary(k.binary), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited: number | null = null;
  const done = new Promise<void>((resolve) => child.on('exit', (code) => { exited = code ?? -1; resolve(); }));
  let served = false;
  for (let i = 0; i < 100 && exited === null && !served; i++) {
    served = await fetch(`http://${HOST}:${port}/metrics`).then((r) => r.status > 0, () => false);
    if (!served) await new Promise((r) => setTimeout(r, 100));
  }
  if (exited === null) child.kill('SIGTERM');
  await done;
  return { served, exited: served ? null : exited, log };
}

describe('every flag of every packaged container is accepted by the pinned release', () => {
  const root = mkdtempSync(join(tmpdir(), 'nanoe-flags-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const cases = collectCases(root);

  test('covers every packaged component the stack runs', () => {
    expect([...new Set(cases.map((k) => k.component))].sort()).toEqual(['alertmanager', 'nodeExporter', 'postgresExporter', 'prometheus', 'redisExporter']);
  });

  test.each(cases.map((k) => [k.label, k] as const))('%s', async (_label, k) => {
    const r = await run(k);
    const complaints = r.log.split('\n').filter((l) => FLAG_COMPLAINT.test(l));
    const tail = r.served && complaints.length === 0 ? [] : r.log.trim().split("\n").slice(-6);
    expect({ args: k.args, served: r.served, exited: r.exited, complaints, tail }).toEqual({ args: k.args, served: true, exited: null, complaints: [], tail: [] });
  }, 30_000);
});

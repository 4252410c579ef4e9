#!/usr/bin/env node
/**
 * Series budget (issue 13, item 1): series per exporter with the project's settings against the
 * exporter's defaults, on the pinned releases (.tmp/pinned/manifest.json).
 *
 * node_exporter runs on a synthetic node of N pods, in a network namespace (`ip netns`) and a private
 * mount + PID namespace (`unshare`) this script creates and removes: per pod a veth pair named as a
 * CNI names it (cali*, lxc*, veth*, eni*, gke*, azv*; the pod end in a second namespace), a tmpfs
 * emptyDir and a projected service-account tmpfs under /var/lib/kubelet/pods/<uid>/volumes, and a
 * containerd sandbox shm tmpfs; the node's uplink is a veth `eth0`. Mounts exist only in the private
 * mount namespace (on a tmpfs over /var/lib and /run there); the host's mounts are never touched.
 * Three argument sets: the project's (from the synthesized DaemonSet, /host paths mapped to /), the
 * upstream defaults (no flags), kube-prometheus-stack's (chart prometheus-node-exporter); N = 0 and
 * N = 30. Series = sample lines of /metrics; "lean" applies the rendered metric_relabel_configs.
 * postgres-exporter and redis-exporter run with their defaults (the project passes no flags) on the
 * e2e harness's Postgres and Redis; "project" is after the rendered metric_relabel_configs.
 *
 *   node scripts/series-budget.mjs [--pods 30] [--record]   (npm run bench runs it after the speed benchmark)
 * --record also writes what it prints to docs/figures/series-budget.txt, which the README's figures
 * are checked against (test/readme-figures.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const PODS = Number(argv[argv.indexOf('--pods') + 1]) || 30;
const TAG = `nsb${process.pid}`;
const NODE_NS = `${TAG}-node`;
const PODS_NS = `${TAG}-pods`;
const CNI_PREFIXES = ['cali', 'lxc', 'veth', 'eni', 'gke', 'azv'];

/** kube-prometheus-stack's node-exporter arguments (see README "Series budget" for the source). */
const KPS_ARGS = [
  '--path.procfs=/proc', '--path.sysfs=/sys', '--path.rootfs=/', '--path.udev.data=/run/udev/data',
  '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
  '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
];

/** What the script prints (and, with --record, writes to docs/figures/series-budget.txt). */
const printed = [];
function print(line) {
  printed.push(line);
  console.log(line);
}

function skip(why) {
  console.log(`series budget: skipped — ${why}`);
  process.exit(0);
}

const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });

function cleanup() {
  for (const ns of [NODE_NS, PODS_NS]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** The synthetic node: namespaces and interfaces (mounts are made by the shell inside the mount namespace). */
function makeNode(pods) {
  cleanup();
  ip('netns', 'add', NODE_NS);
  ip('netns', 'add', PODS_NS);
  ip('-n', NODE_NS, 'link', 'set', 'lo', 'up');
  ip('-n', NODE_NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'uplink', 'netns', PODS_NS);
  ip('-n', NODE_NS, 'link', 'set', 'eth0', 'up');
  for (let i = 0; i < pods; i++) {
    const p = CNI_PREFIXES[i % CNI_PREFIXES.length];
    const name = `${p}${(0xa1b2c3 + i).toString(16)}`.slice(0, 15);
    ip('-n', NODE_NS, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', PODS_NS);
    ip('-n', NODE_NS, 'link', 'set', name, 'up');
  }
}

/** Shell run as PID 1 of the new PID + mount namespace: the pods' mounts, node_exporter, one scrape. */
function nodeScript(pods, binary, args) {
  const lines = ['set -e', 'mount -t tmpfs nanoe-sb /var/lib', 'mount -t tmpfs nanoe-sb /run'];
  for (let i = 0; i < pods; i++) {
    const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const vol = `/var/lib/kubelet/pods/${uid}/volumes`;
    const shm = `/run/containerd/io.containerd.grpc.v1.cri/sandboxes/${(0xabc000 + i).toString(16).padStart(64, '0')}/shm`;
    for (const d of [`${vol}/kubernetes.io~empty-dir/cache`, `${vol}/kubernetes.io~projected/kube-api-access-${i}`, shm]) {
      lines.push(`mkdir -p ${d}`, `mount -t tmpfs tmpfs ${d}`);
    }
  }
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  lines.push(
    `${binary} --web.listen-address=127.0.0.1:9100 ${quoted} >/dev/null 2>&1 &`,
    'for i in $(seq 100); do curl -sf http://127.0.0.1:9100/metrics >/tmp/.m 2>/dev/null && break; sleep 0.1; done',
    'curl -sf http://127.0.0.1:9100/metrics', 'kill $!',
  );
  return lines.join('\n');
}

function scrapeNode(pods, binary, args) {
  makeNode(pods);
  const r = spawnSync('ip', ['netns', 'exec', NODE_NS, 'unshare', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'sh', '-c', nodeScript(pods, binary, args)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && !r.stdout) throw new Error(`node_exporter in the synthetic node failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[^{ ]+/.exec(l)[0]);
}

function afterRelabel(names, rules) {
  return names.filter((n) => rules.every((r) => {
    if (r.source_labels?.[0] !== '__name__' || (r.action !== 'keep' && r.action !== 'drop')) return true;
    const hit = new RegExp(`^(?:${r.regex})$`).test(n);
    return r.action === 'keep' ? hit : !hit;
  }));
}

function main() {
  if (process.getuid?.() !== 0) skip('needs root (network and mount namespaces)');
  for (const tool of ['unshare', 'ip', 'curl']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) skip(`\`${tool}\` is missing`);
  const manifest = join(ROOT, '.tmp', 'pinned', 'manifest.json');
  if (!existsSync(manifest)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'pinned-binaries.mjs')], { stdio: 'inherit' });
  const pinned = JSON.parse(readFileSync(manifest, 'utf8'));
  const ne = pinned['prometheus-node-exporter'];
  buildSync({ entryPoints: [join(ROOT, 'scripts', 'series-budget-inputs.ts')], bundle: true, platform: 'node', outfile: join(ROOT, 'build', 'series-budget-inputs.js'), logLevel: 'warning' });
  const inputs = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'build', 'series-budget-inputs.js'), '--databases'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const projectArgs = inputs.nodeExporterArgs.filter((a) => !a.startsWith('--web.listen-address')).map((a) => a.replace('=/host/root', '=/').replace('=/host/', '=/'));
  const sets = [['project flags', projectArgs], ['upstream defaults (no flags)', []], ['kube-prometheus-stack args', KPS_ARGS]];
  print(`\nseries budget: node_exporter ${ne.version}, synthetic node with 0 and ${PODS} pods (veth per pod, 2 kubelet tmpfs + 1 shm per pod)\n`);
  print('| exporter | settings | series per node (0 pods) | per pod | series with ' + PODS + ' pods |');
  print('|---|---|---:|---:|---:|');
  let cpuLine = '';
  try {
    for (const [label, args] of sets) {
      const base = scrapeNode(0, ne.path, args);
      const full = scrapeNode(PODS, ne.path, args);
      const row = (l, b, f) => print(`| node_exporter | ${l} | ${b} | ${((f - b) / PODS).toFixed(1).replace(/\.0$/, '')} | ${f} |`);
      row(label, base.length, full.length);
      if (label === 'project flags') {
        const cpu = base.filter((n) => n === 'node_cpu_seconds_total').length;
        cpuLine = `node_cpu_seconds_total: ${cpu} series on ${cpus().length} CPU(s), ${cpu / cpus().length} per CPU`;
        const rules = inputs.relabel['node-exporter'];
        row('project flags + lean keep rule (default)', afterRelabel(base, rules).length, afterRelabel(full, rules).length);
      }
    }
  } finally {
    cleanup();
  }
  for (const [job, d] of Object.entries(inputs.databases ?? {})) {
    print(`| ${job} | defaults (= project flags) / project, lean | ${d.defaults} / ${d.project} | – | – |`);
  }
  for (const [job, d] of Object.entries(inputs.databases ?? {})) {
    print(`${job}: lean keeps ${d.project} of ${d.defaults} series (−${d.defaults - d.project}); largest dropped: ${d.topDropped.map(([f, n]) => `${f}_* ${n}`).join(', ')}`);
  }
  print(cpuLine);
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });
main();
if (argv.includes('--record')) {
  mkdirSync(join(ROOT, 'docs', 'figures'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'figures', 'series-budget.txt'), `${printed.join('\n').trim()}\n`);
}

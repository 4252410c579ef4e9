// `npm run bench` (issue 6): how long synth takes, next to the floor of starting node at all.
//   node scripts/bench.mjs [--reps N] [--no-npm] [--no-profile] [--keep] [--record]
// --record also writes the report to docs/figures/bench.txt (and the series budget's to
// docs/figures/series-budget.txt): the README's figures are checked against those files
// (test/readme-figures.test.ts).
// Builds build/main.js (scripts/build.mjs) and build/bench-targets.js once, then runs every case
// N times (default 7) round-robin, after one untimed warm-up round, and prints medians, ratios to
// `node -e 0`, peak memory, a CPU-profile split of where the time goes, and PASS/MISS against the
// targets of the issue. It is a report, not a test: it exits 0 whether the targets are met or not
// (1 only when a synth fails). Analysis and the latest output: docs/benchmark.md.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';
import { build } from 'esbuild';
import { writeEnvironmentsConfig } from './bench-fixtures.mjs';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
/** The issue's targets. */
const MAX_SYNTH_OVER_FLOOR = 3;
const MAX_1000_OVER_10_TARGETS = 3;

const flags = new Set();
let reps = 7;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--reps' && /^[1-9]\d*$/.test(process.argv[i + 1] ?? '')) reps = Number(process.argv[++i]);
  else if (['--no-npm', '--no-profile', '--keep', '--no-series', '--series', '--record'].includes(a)) flags.add(a);
  else {
    process.stderr.write(`bench: ${a} is not understood: use --reps N, --no-npm, --no-profile, --keep, --no-series, --series (series budget only), --record\n`);
    process.exit(2);
  }
}
const flag = (name) => flags.has(name);
// The series budget (scripts/series-budget.mjs) runs after the speed benchmark; --series runs it alone.
const seriesBudget = () =>
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'series-budget.mjs'), ...(flag('--record') ? ['--record'] : [])], { cwd: ROOT, stdio: 'inherit' });
if (flag('--series')) process.exit(seriesBudget().status ?? 1);

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), 'nanoe-bench-'));
const out = (name) => join(tmp, 'out', name);

// 1. Build once: the synth program exactly as `npm run synth` builds it, and the benchmark entry
//    with the same esbuild options.
const buildStart = process.hrtime.bigint();
run(NODE, ['scripts/build.mjs'], 'node scripts/build.mjs');
const buildMs = msSince(buildStart);
await build({ ...BUNDLE_OPTIONS, absWorkingDir: ROOT, entryPoints: ['scripts/bench-targets.ts'], outfile: 'build/bench-targets.js' });

// 2. Generated configs: defaults of config/environments.yaml and 1, 10 or 50 environments.
const configs = Object.fromEntries([1, 10, 50].map((n) => [n, writeEnvironmentsConfig(ROOT, tmp, n)]));

// 3. The cases. `node` is the same binary that runs this script.
const synth = (name, ...args) => ({ cmd: NODE, args: ['build/main.js', ...args, '--out', out(name)] });
const targets = (n) => ({ cmd: NODE, args: ['build/bench-targets.js', '--targets', String(n), '--config', configs[1], '--out', out(`targets-${n}`)] });
const cases = [
  { id: 'floor', label: '`node -e 0` (floor)', cmd: NODE, args: ['-e', '0'] },
  { id: 'default', label: 'synth, default app (`node build/main.js`)', ...synth('default'), profile: true },
  { id: 'typed', label: '`npm run synth` as typed, npm aside (`node scripts/synth.cjs`: bundle check + synth)', cmd: NODE, args: ['scripts/synth.cjs', '--out', out('typed')] },
  // The first run after the program changed: no results kept from an earlier run (build/memo/).
  { id: 'typed-cold', label: 'the same, computing everything (`NANOE_MEMO=off`: a first run)', cmd: NODE, args: ['scripts/synth.cjs', '--out', out('typed-cold')], env: { NANOE_MEMO: 'off' } },
  ...(flag('--no-npm') || !hasNpm() ? [] : [{ id: 'npm', label: '`npm run synth` (npm start-up + content check + synth, for reference)', cmd: 'npm', args: ['run', '--silent', 'synth', '--', '--out', out('npm')], rss: false }]),
  { id: 'envs-1', label: 'synth, 1 environment (generated)', ...synth('envs-1', '--config', configs[1]) },
  { id: 'envs-10', label: 'synth, 10 environments', ...synth('envs-10', '--config', configs[10]) },
  { id: 'envs-50', label: 'synth, 50 environments', ...synth('envs-50', '--config', configs[50]) },
  { id: 'targets-10', label: 'synth, 1 env + 10 scrape targets', ...targets(10) },
  { id: 'targets-100', label: 'synth, 1 env + 100 scrape targets', ...targets(100) },
  { id: 'targets-1000', label: 'synth, 1 env + 1000 scrape targets', ...targets(1000), profile: true, report: true },
];

// Warm-up round (untimed: disk cache, npm's own cache), which also checks that every case works and
// collects the output sizes of the 1000-target case.
for (const c of cases) {
  const r = run(c.cmd, c.report ? [...c.args, '--report'] : c.args, c.label, envOf(c));
  if (c.report) c.sizes = JSON.parse(r.stdout.trim().split('\n').pop());
}
// Timed rounds, round-robin, so a burst of load from elsewhere hits every case alike.
for (const c of cases) c.times = [];
for (let i = 0; i < reps; i++) {
  for (const c of cases) {
    const t = process.hrtime.bigint();
    run(c.cmd, c.args, c.label, envOf(c));
    c.times.push(msSince(t));
  }
}
// Peak memory: one more run of each node case.
const rssTool = findRssTool();
for (const c of cases) if (c.cmd === NODE && c.rss !== false) c.rssKb = maxRssKb(c);
// Where the time goes: one CPU-profiled run each of the default app and of 1000 targets.
const profiles = flag('--no-profile') ? [] : cases.filter((c) => c.profile).map((c) => ({ c, split: profileSplit(c) }));

// 4. Report.
const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
for (const c of cases) c.median = median(c.times);
const floor = byId.floor.median;
const lines = [];
const p = (s = '') => lines.push(s);
p(`nanoe-monitoring synth benchmark: node ${process.version}, ${cpus().length} CPU(s), ${reps} timed runs per case (after 1 warm-up), round-robin`);
p(`build: node scripts/build.mjs took ${fmt(buildMs)} ms (once, not in the table); peak memory by ${rssTool.name}`);
p();
p('| case | median | min | max | × floor | max RSS |');
p('|---|---:|---:|---:|---:|---:|');
for (const c of cases) {
  p(`| ${c.label} | ${fmt(c.median)} ms | ${fmt(Math.min(...c.times))} | ${fmt(Math.max(...c.times))} | ${(c.median / floor).toFixed(2)}× | ${c.rssKb ? `${(c.rssKb / 1024).toFixed(0)} MB` : '–'} |`);
}
p();
const t10 = byId['targets-10'].median;
const t1000 = byId['targets-1000'].median;
const e1 = byId['envs-1'].median;
const e50 = byId['envs-50'].median;
p(`marginal cost: ${((t1000 - t10) / 990).toFixed(2)} ms per scrape target; ${((e50 - e1) / 49).toFixed(1)} ms per environment`);
p(`ratios: 1000 / 10 targets = ${(t1000 / t10).toFixed(2)}×; 50 / 1 environments = ${(e50 / e1).toFixed(2)}×; default app − floor = ${fmt(byId.default.median - floor)} ms`);
const sizes = byId['targets-1000'].sizes;
if (sizes) {
  p(`1000 targets output: ${kb(sizes.outputBytes)} of YAML, ${sizes.objects} objects; the prometheus-config ConfigMap holds ${kb(sizes.prometheusYmlBytes)} of prometheus.yml (${sizes.jobs} jobs, ${Math.round(sizes.prometheusYmlBytes / sizes.jobs)} B/job)`);
}
for (const { c, split } of profiles) {
  p();
  p(`CPU profile of one run of "${c.label}" (${fmt(split.total)} ms sampled; node's own start-up before the first sample is not in it):`);
  for (const [k, v] of split.parts) p(`  ${k.padEnd(50)} ${fmt(v).padStart(6)} ms  ${((100 * v) / split.total).toFixed(0).padStart(3)}%`);
}
p();
p('targets (issue 6):');
const check = (name, ratio, max) => p(`  ${ratio <= max ? 'PASS' : 'MISS'}  ${name}: ${ratio.toFixed(2)}× (target ≤ ${max}×)`);
check('synth of the default app vs `node -e 0`', byId.default.median / floor, MAX_SYNTH_OVER_FLOOR);
check('`npm run synth` as typed (npm aside) vs `node -e 0`', byId.typed.median / floor, MAX_SYNTH_OVER_FLOOR);
p(`  (a first run, computing everything: ${(byId['typed-cold'].median / floor).toFixed(2)}× — not a target; see docs/benchmark.md)`);
check('1000 scrape targets vs 10 scrape targets', t1000 / t10, MAX_1000_OVER_10_TARGETS);
const noisy = cases.filter((c) => Math.max(...c.times) > 1.5 * Math.min(...c.times)).map((c) => c.id);
if (noisy.length > 0) p(`note: noisy cases (max > 1.5 × min): ${noisy.join(', ')}; other load on the machine? rerun for stable numbers`);
p(`(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.stdout.write(`${lines.join('\n')}\n`);
if (flag('--record')) {
  mkdirSync(join(ROOT, 'docs', 'figures'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'figures', 'bench.txt'), `${lines.join('\n')}\n`);
}

if (flag('--keep')) process.stdout.write(`kept ${tmp}\n`);
else rmSync(tmp, { recursive: true, force: true });
if (!flag('--no-series')) seriesBudget();

// ---------------------------------------------------------------------------------------------

function run(cmd, args, label, extra = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...extra });
  if (r.error || r.status !== 0) {
    process.stderr.write(`bench: ${label} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr ?? ''}\n`);
    if (!flag('--keep')) rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
  return r;
}

/** Spawn options of a case that sets environment variables. */
function envOf(c) {
  return c.env ? { env: { ...process.env, ...c.env } } : {};
}

function hasNpm() {
  const ok = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!ok) process.stderr.write('bench: npm not found, leaving out `npm run synth`\n');
  return ok;
}

function msSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function kb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

/** GNU time's %M when it works here; otherwise the child reports process.resourceUsage().maxRSS itself. */
function findRssTool() {
  const file = join(tmp, 'rss-probe');
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', file, NODE, '-e', '0']);
    if (r.status === 0 && /^\d+\s*$/.test(readFileSync(file, 'utf8'))) return { name: '/usr/bin/time -f %M', file };
  }
  const preload = join(tmp, 'rss-preload.cjs');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)));\n`);
  return { name: 'process.resourceUsage().maxRSS (preloaded)', file, preload };
}

function maxRssKb(c) {
  rmSync(rssTool.file, { force: true });
  if (rssTool.preload) run(NODE, ['--require', rssTool.preload, ...c.args], c.label, envOf(c));
  else run('/usr/bin/time', ['-f', '%M', '-o', rssTool.file, NODE, ...c.args], c.label, envOf(c));
  return Number(readFileSync(rssTool.file, 'utf8').trim());
}

/**
 * Runs a case under `node --cpu-prof` and attributes every sample to one phase, by the outermost
 * function of its stack that names one (the bundles keep function names). The first matching rule wins.
 */
function profileSplit(c) {
  const dir = join(tmp, `prof-${c.id}`);
  mkdirSync(dir, { recursive: true });
  run(NODE, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', ...c.args], c.label);
  const prof = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
  const rules = [
    ['garbage collection', (n) => n.has('(garbage collector)')],
    ['write: prometheus.yml (yaml stringify)', (n) => n.has('renderConfigYaml')],
    ['write: app.synthYaml() (resolve + YAML, unused)', (n) => n.has('synthYaml')],
    ['write: manifests to YAML (environmentFiles)', (n) => n.has('environmentFiles')],
    ['write: resolve + validate (stack.toJson)', (n) => n.has('toJson')],
    ['write: files (fs)', (n) => n.has('writeFileSync') || n.has('renameSync') || n.has('rmSync')],
    ['construct: config file (yaml parse + checks)', (n) => n.has('loadConfigFile')],
    ['construct: rules + dashboards (PromQL parse)', (n) => n.has('ruleFilesFor') || n.has('dashboardsFrom')],
    ['construct: backend manifests (yaml parse)', (n) => n.has('ManifestFile')],
    ['construct: NetworkPolicies', (n) => n.has('NetworkPolicies')],
    ['construct: scrape targets (bench entry)', (n) => n.has('addBenchTargets')],
    ['construct: rest of the tree', (n) => n.has('buildEnvironments') || n.has('synthesizeAll') || n.has('main')],
    ['module load: compile + init of the bundle', (n, urls) => urls.some((u) => u.includes('/build/')) || n.has('wrapSafe')],
    ['node runtime (bootstrap, exit, idle)', () => true],
  ];
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const stackOf = new Map();
  const classify = (id) => {
    if (!stackOf.has(id)) {
      const names = new Set();
      const urls = [];
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const f = nodes.get(cur).callFrame;
        names.add(f.functionName);
        urls.push(f.url);
      }
      stackOf.set(id, rules.findIndex(([, test]) => test(names, urls)));
    }
    return stackOf.get(id);
  };
  const totals = rules.map(() => 0);
  for (let i = 0; i < prof.samples.length; i++) totals[classify(prof.samples[i])] += (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const total = totals.reduce((a, b) => a + b, 0);
  return { total, parts: rules.map(([name], i) => [name, totals[i]]).filter(([, v]) => v > 0) };
}

/**
 * Benchmark entry for `npm run bench`: synthesizes every environment of a config like main.ts does,
 * with N extra scrape targets per environment, each one its own owned workload with a metrics port.
 *   node build/bench-targets.js --targets N [--config FILE] [--out DIR] [--namespaces K] [--report]
 * Bundled by scripts/bench.mjs with the options of scripts/build.mjs. `--report` adds a last line of
 * JSON with the output's size (it renders prometheus.yml once more, so the timed runs leave it out).
 * It runs the production path (`synthesizeAll`), declaring the extra targets through the stack's
 * `extend` hook, so the NetworkPolicies and the scrape config include them as they would in an app.
 */
import { ApiObject } from 'cdk8s';
import { readdirSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { MonitoringStack } from '../lib/components/stack';
import { buildEnvironments, synthesizeAll } from '../lib/output/synth';

/** The project root: this runs as build/bench-targets.js (or from scripts/). */
const ROOT = resolve(__dirname, '..');

interface Args { targets: number; namespaces: number; configFile?: string; outdir: string; report: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { targets: 0, namespaces: 1, outdir: resolve(ROOT, '.tmp', 'bench-targets'), report: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--report') {
      args.report = true;
      continue;
    }
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--targets') args.targets = count(flag, value, 0);
    else if (flag === '--namespaces') args.namespaces = count(flag, value, 1);
    else if (flag === '--config') args.configFile = resolve(value);
    else if (flag === '--out') args.outdir = resolve(value);
    else throw new Error(`${flag} is not understood: use --targets N, --namespaces K, --config FILE, --out DIR or --report`);
  }
  return args;
}

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} ${value}: expected an integer >= ${min}`);
  return n;
}

/** Declares `n` scrape targets, each on its own workload, spread over `namespaces` namespaces. */
export function addBenchTargets(stack: MonitoringStack, n: number, namespaces: number): void {
  for (let i = 0; i < n; i++) {
    const id = `bench-${String(i).padStart(4, '0')}`;
    const workload = stack.wiring.addWorkload({
      id, namespace: `bench-targets-${i % namespaces}`, podLabels: { 'app.kubernetes.io/name': id }, owned: true,
      ports: [{ name: 'metrics', port: 9400 }],
    });
    stack.prometheus.scrape({ job: id, workload, portName: 'metrics' });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const extend = (stack: MonitoringStack) => addBenchTargets(stack, args.targets, args.namespaces);
  const { written } = await synthesizeAll({ root: ROOT, configFile: args.configFile, extend }, args.outdir);
  process.stdout.write(`synthesized ${written.length} folder(s) with ${args.targets} extra scrape target(s) each into ${args.outdir}\n`);
  if (args.report) {
    // Built again (outside the timed runs' interest) to read sizes off the first environment.
    const { stack } = buildEnvironments({ root: ROOT, configFile: args.configFile, extend })[0];
    const config = stack.prometheus.node.findChild('Config') as ApiObject;
    process.stdout.write(`${JSON.stringify({
      outputBytes: sizeOf(args.outdir),
      objects: stack.node.findAll().filter((c) => c instanceof ApiObject).length,
      jobs: stack.prometheus.scrapeTargets.length,
      prometheusYmlBytes: Buffer.byteLength(config.toJson().data['prometheus.yml']),
    })}\n`);
  }
}

/** Bytes of every file under `path`. */
function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0);
}

main().catch((e) => {
  process.stderr.write(`bench-targets: ${(e as Error).stack}\n`);
  process.exit(1);
});

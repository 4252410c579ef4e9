/**
 * The Nanoe composition: synthesizes every environment of config/environments.yaml into dist/<env>/.
 *   node build/main.js [--env NAME ...] [--config FILE] [--out DIR]
 * Everything reusable lives in lib/; this file only reads arguments and reports errors.
 */
import { basename, dirname, resolve } from 'path';
import { ConfigError } from './lib/config/errors';
import { synthesizeAll } from './lib/synth';

/** The project root, whether this runs from main.ts or from the bundle in build/. */
const ROOT = basename(__dirname) === 'build' ? dirname(__dirname) : __dirname;

function parseArgs(argv: string[]): { environments: string[]; configFile?: string; outdir: string } {
  const environments: string[] = [];
  let configFile: string | undefined;
  let outdir = process.env.CDK8S_OUTDIR ?? resolve(ROOT, 'dist');
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--env' && value) environments.push(value), i++;
    else if (argv[i] === '--config' && value) configFile = resolve(value), i++;
    else if (argv[i] === '--out' && value) outdir = resolve(value), i++;
    else throw new ConfigError('command line', argv[i], 'is not understood', 'use --env NAME, --config FILE or --out DIR');
  }
  return { environments, configFile, outdir };
}

try {
  const args = parseArgs(process.argv.slice(2));
  const written = synthesizeAll({ root: ROOT, configFile: args.configFile, environments: args.environments }, args.outdir);
  process.stdout.write(`synthesized ${written.map((e) => `${args.outdir}/${e}`).join(', ')}\n`);
} catch (e) {
  // Input mistakes (config, rules, dashboards) are reported as one clear message; NANOE_DEBUG=1 shows the stack.
  const kind = e instanceof ConfigError ? 'configuration error' : 'error';
  process.stderr.write(`nanoe-monitoring: ${kind}: ${(e as Error).message}\nNothing was written.\n`);
  if (process.env.NANOE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
}

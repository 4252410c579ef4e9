/**
 * The Nanoe composition: synthesizes every environment of config/environments.yaml into dist/<env>/.
 *   node build/main.js [--env NAME ...] [--config FILE] [--out DIR]
 *   node build/main.js restore --env NAME --component prometheus|grafana --backup NAME|latest [--replica N] [--from-s3] [--config FILE]
 *     prints a restore Job for `kubectl apply -f -` (docs/backup-restore.md)
 * Everything reusable lives in lib/; this file only reads arguments and reports errors.
 */
import { basename, dirname, join, resolve } from 'path';
import { ConfigError } from './lib/config/errors';
import { loadConfigFile } from './lib/config/load';
import { BackupComponent } from './lib/config/backup';
import { restoreJobYaml } from './lib/components/restore-job';
import { synthesizeAll } from './lib/output/synth';

/** The project root, whether this runs from main.ts or from the bundle in build/. */
const ROOT = basename(__dirname) === 'build' ? dirname(__dirname) : __dirname;

interface Args {
  command: 'synth' | 'restore';
  environments: string[];
  configFile: string;
  outdir: string;
  component?: string;
  backup?: string;
  replica?: number;
  fromS3: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    command: argv[0] === 'restore' ? 'restore' : 'synth', environments: [], fromS3: false,
    configFile: join(ROOT, 'config', 'environments.yaml'), outdir: process.env.CDK8S_OUTDIR ?? resolve(ROOT, 'dist'),
  };
  const rest = args.command === 'restore' ? argv.slice(1) : argv;
  const usage = args.command === 'restore'
    ? 'use --env NAME --component prometheus|grafana --backup NAME|latest [--replica N] [--from-s3] [--config FILE]'
    : 'use --env NAME, --config FILE or --out DIR (or the command "restore")';
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag === '--from-s3' && args.command === 'restore') { args.fromS3 = true; continue; }
    if (value === undefined) throw new ConfigError('command line', flag, 'is not understood or lacks its value', usage);
    i++;
    if (flag === '--env') args.environments.push(value);
    else if (flag === '--config') args.configFile = resolve(value);
    else if (flag === '--out' && args.command === 'synth') args.outdir = resolve(value);
    else if (flag === '--component' && args.command === 'restore') args.component = value;
    else if (flag === '--backup' && args.command === 'restore') args.backup = value;
    else if (flag === '--replica' && args.command === 'restore') args.replica = Number(value);
    else throw new ConfigError('command line', flag, 'is not understood', usage);
  }
  return args;
}

function restore(args: Args): void {
  if (args.environments.length !== 1 || !args.component || !args.backup) {
    throw new ConfigError('restore', args.environments.join(',') || '(no --env)', 'needs exactly one --env, a --component and a --backup', 'e.g. restore --env prod --component prometheus --backup 20261124T021500Z');
  }
  const [config] = loadConfigFile(args.configFile, args.environments);
  process.stdout.write(restoreJobYaml(args.component as BackupComponent, args.backup, { namespace: config.namespace, backup: config.backup }, { replica: args.replica, fromS3: args.fromS3 }));
}

try {
  const args = parseArgs(process.argv.slice(2));
  if (args.command === 'restore') {
    restore(args);
  } else {
    const written = synthesizeAll({ root: ROOT, configFile: args.configFile, environments: args.environments }, args.outdir);
    process.stdout.write(`synthesized ${written.map((e) => `${args.outdir}/${e}`).join(', ')}\n`);
  }
} catch (e) {
  // Input mistakes (config, rules, dashboards) are reported as one clear message; NANOE_DEBUG=1 shows the stack.
  const kind = e instanceof ConfigError ? 'configuration error' : 'error';
  process.stderr.write(`nanoe-monitoring: ${kind}: ${(e as Error).message}\nNothing was written.\n`);
  if (process.env.NANOE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
}

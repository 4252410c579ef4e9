/**
 * The Nanoe composition: synthesizes every environment of config/environments.yaml into dist/<env>/.
 * `node build/main.js --help` lists the commands and flags (HELP below).
 * Everything reusable lives in lib/; this file only reads arguments and reports errors.
 */
import { createHash } from 'crypto';
import { basename, dirname, join, relative, resolve } from 'path';
import { ConfigError } from './lib/config/errors';
import { loadConfigFile } from './lib/config/load';
import { BackupComponent } from './lib/config/backup';
import { restoreJobYaml } from './lib/components/restore-job';
import { MemoFile } from './lib/output/memo-file';
import { synthesizeAll } from './lib/output/synth';
import { OutputError, WriteReport } from './lib/output/write';

/** The project root, whether this runs from main.ts or from the bundle in build/. */
const BUNDLED = basename(__dirname) === 'build';
const ROOT = BUNDLED ? dirname(__dirname) : __dirname;

/**
 * The bundled program keeps results of pure functions (PromQL analysis, YAML) between runs, next to
 * itself, one file per config file (lib/output/memo-file.ts); NANOE_MEMO=off computes everything, as
 * a first run does.
 */
function memoFor(configFile: string): MemoFile | undefined {
  if (!BUNDLED || process.env.NANOE_MEMO === 'off') return undefined;
  const name = createHash('sha1').update(configFile).digest('hex').slice(0, 16);
  return new MemoFile(join(__dirname, 'memo', `${name}.json`), join(__dirname, 'synth.js'));
}

const HELP = `Usage: npm run synth -- [flags]        (or: node build/main.js [flags])

Synthesizes the monitoring stack of every environment of the config into <out>/<env>/.

Flags:
  --env NAME       synthesize only this environment (repeat for several); the files of the
                   others, in their folders and in shared ones such as gitops/, stay as they are
  --config FILE    the config file (default: config/environments.yaml)
  --out DIR        the output folder (default: dist, or $CDK8S_OUTDIR); synth only replaces
                   folders it wrote (they hold a .nanoe-monitoring marker)
  --prune          also remove the output of environments the config no longer has
  --help, -h       print this help

Commands:
  restore --env NAME --component prometheus|grafana --backup NAME|latest [--replica N] [--from-s3] [--config FILE]
                   print a restore Job for \`kubectl apply -f -\` (docs/backup-restore.md)

Environment: NANOE_DEBUG=1 prints stack traces with errors; NANOE_MEMO=off ignores the results
  kept between runs in build/memo/ (PromQL analysis, YAML) and computes all of them.
`;

interface Args {
  command: 'synth' | 'restore' | 'help';
  environments: string[];
  configFile: string;
  outdir: string;
  prune: boolean;
  component?: string;
  backup?: string;
  replica?: number;
  fromS3: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    command: argv[0] === 'restore' ? 'restore' : 'synth', environments: [], fromS3: false, prune: false,
    configFile: join(ROOT, 'config', 'environments.yaml'), outdir: process.env.CDK8S_OUTDIR ?? resolve(ROOT, 'dist'),
  };
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { ...args, command: 'help' };
  const rest = args.command === 'restore' ? argv.slice(1) : argv;
  const usage = 'see --help for every flag and command';
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag === '--from-s3' && args.command === 'restore') { args.fromS3 = true; continue; }
    if (flag === '--prune' && args.command === 'synth') { args.prune = true; continue; }
    if (!/^--(env|config|out|component|backup|replica)$/.test(flag)) throw new ConfigError('command line', flag, 'is not understood', usage);
    if (value === undefined || value.startsWith('--')) throw new ConfigError('command line', flag, 'lacks its value', usage);
    i++;
    if (flag === '--env') args.environments.push(value);
    else if (flag === '--config') args.configFile = resolve(value);
    else if (flag === '--out' && args.command === 'synth') args.outdir = resolve(value);
    else if (flag === '--component' && args.command === 'restore') args.component = value;
    else if (flag === '--backup' && args.command === 'restore') args.backup = value;
    else if (flag === '--replica' && args.command === 'restore') args.replica = Number(value);
    else throw new ConfigError('command line', flag, `is not a flag of ${args.command}`, usage);
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

/** A folder of the output, as the user typed --out. */
const shown = (outdir: string, folder: string) => {
  const rel = relative(process.cwd(), join(outdir, folder));
  return rel && !rel.startsWith('..') ? rel : join(outdir, folder);
};

function report(outdir: string, r: WriteReport): string {
  const lines = [`synthesized ${r.written.map((f) => shown(outdir, f)).join(', ') || 'nothing'}`];
  if (r.removed.length > 0) lines.push(`removed ${r.removed.map((f) => shown(outdir, f)).join(', ')}`);
  if (r.recovered.length > 0) lines.push(`restored ${r.recovered.map((f) => shown(outdir, f)).join(', ')} as they were before an interrupted run`);
  for (const o of r.orphans) {
    lines.push(`note: ${shown(outdir, o.folder)} holds files of ${o.environments.map((e) => `"${e}"`).join(', ')}, no longer in the config; kept — run with --prune to remove them`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.command === 'help') { process.stdout.write(HELP); return; }
  if (args.command === 'restore') { restore(args); return; }
  // A signal is handled between JavaScript tasks, never inside the (synchronous) render and write,
  // so it comes either before anything was written or after everything was.
  let done = false;
  const onSignal = (signal: string) => {
    process.stderr.write(done ? `nanoe-monitoring: ${signal} received after the write finished (see above).\n` : `nanoe-monitoring: ${signal} received: nothing was written.\n`);
    process.exit(130);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, onSignal);
  const memo = memoFor(args.configFile);
  memo?.load();
  const r = await synthesizeAll({ root: ROOT, configFile: args.configFile, environments: args.environments }, args.outdir, {
    prune: args.prune,
    onWait: (pid) => process.stderr.write(`waiting for another synth (pid ${pid}) writing ${args.outdir}\n`),
  });
  done = true;
  process.stdout.write(report(args.outdir, r));
  memo?.save();
}

main().catch((e) => {
  // Input mistakes (config, rules, dashboards) and filesystem problems are one clear message; NANOE_DEBUG=1 shows the stack.
  const kind = e instanceof ConfigError ? 'configuration error' : 'error';
  const out = e instanceof OutputError && (e.written.length > 0 || e.notWritten.length > 0)
    ? `Written: ${e.written.join(', ') || 'nothing'}. Not written (kept as before): ${e.notWritten.join(', ')}.`
    : 'Nothing was written.';
  const message = e instanceof ConfigError || e instanceof OutputError ? (e as Error).message : oneLine(e as Error);
  process.stderr.write(`nanoe-monitoring: ${kind}: ${message}\n${out}\n`);
  if (process.env.NANOE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

/** An unexpected error in one line: a filesystem error with its path, otherwise its message. */
function oneLine(e: NodeJS.ErrnoException): string {
  if (e.code && e.path) return `${e.path}: ${e.code} (${e.syscall ?? 'filesystem'}) — check the path and its permissions`;
  return e.message;
}

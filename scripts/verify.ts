/**
 * `npm run verify`: runs the generated monitoring stack (dev environment) for real on 127.0.0.1 and
 * proves it works — every dashboard panel has data, HighErrorRate fires above 5 % 5xx and not at 2 %,
 * InstanceDown reaches a webhook through Alertmanager and resolves. Same checks as
 * test/e2e/stack.e2e.test.ts (shared code in test/e2e/local-stack.ts and test/e2e/checks.ts).
 * Exits 0 when every check passes, 1 otherwise. Needs the packages of scripts/setup-test-deps.sh.
 *   node build/verify.js [--env NAME] [--record]
 * --record also writes what it prints to docs/figures/verify.txt, which the README's example run is
 * checked against (test/readme-figures.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatPreamble, formatResult, formatSummary, runAllChecks, type CheckResult } from '../test/e2e/checks';
import { checkBinaries } from '../test/e2e/harness';
import { startLocalStack, type LocalStack } from '../test/e2e/local-stack';

/** The project root, whether this runs from scripts/verify.ts or from the bundle in build/. */
const ROOT = basename(__dirname) === 'build' ? dirname(__dirname) : resolve(__dirname, '..');

const printed: string[] = [];
const out = (text: string) => {
  printed.push(text);
  process.stdout.write(`${text}\n`);
};

function parseArgs(argv: string[]): { environment: string; record: boolean } {
  let environment = 'dev';
  let record = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) environment = argv[++i];
    else if (argv[i] === '--record') record = true;
    else throw new Error(`unknown argument ${argv[i]}; use --env NAME, --record`);
  }
  return { environment, record };
}

async function main(): Promise<number> {
  const started = Date.now();
  const { environment, record } = parseArgs(process.argv.slice(2));
  checkBinaries();
  out(`nanoe-monitoring verify: running the generated "${environment}" stack on 127.0.0.1 with the real programs…`);
  let stack: LocalStack | undefined;
  let results: CheckResult[] = [];
  let failure: Error | undefined;
  try {
    stack = await startLocalStack({ root: ROOT, environment, log: (l) => out(`  ${l}`) });
    out(formatPreamble(stack.notes, stack.timings));
    out('');
    results = await runAllChecks(stack, (r) => out(`${formatResult(r)}\n`));
  } catch (e) {
    failure = e as Error;
  } finally {
    const errors = stack ? await stack.stop() : [];
    if (errors.length) out(`errors while stopping daemons:\n  ${errors.join('\n  ')}`);
  }
  if (failure) {
    out(`ERROR: ${failure.message}`);
    if (process.env.NANOE_DEBUG) out(failure.stack ?? '');
  }
  out(formatSummary(results, Date.now() - started));
  if (record) {
    mkdirSync(join(ROOT, 'docs', 'figures'), { recursive: true });
    writeFileSync(join(ROOT, 'docs', 'figures', 'verify.txt'), `${printed.join('\n')}\n`);
  }
  return failure || results.length === 0 || results.some((r) => !r.ok) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    out(`ERROR: ${e.message}`);
    process.exit(1);
  },
);

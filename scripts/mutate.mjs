#!/usr/bin/env node
// npm run mutate [-- config|render ...]: the mutation passes of stryker.config.cjs, one after the
// other, then one summary of every pass report in reports/mutation/ (<pass>.json): per file and in
// total the killed, timed-out, surviving, uncovered and ignored (static) mutants with the score, each
// pass's time, and every survivor. The summary is also written to reports/mutation/summary.txt.
// `-- --summary` only prints the summary of the reports there. Not run in CI (over an hour on 2 cores).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PASSES = ['config', 'render'];
const summaryOnly = process.argv.includes('--summary');
const asked = process.argv.slice(2).filter((a) => a !== '--summary');
for (const p of asked) if (!PASSES.includes(p)) { console.error(`mutate: unknown pass "${p}" (passes: ${PASSES.join(', ')})`); process.exit(2); }
const passes = summaryOnly ? [] : asked.length > 0 ? asked : PASSES;

const seconds = {};
for (const pass of passes) {
  const start = Date.now();
  const run = spawnSync('npx', ['stryker', 'run'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MUTATE_PASS: pass, NANOE_SNAPSHOT: 'off' } });
  seconds[pass] = Math.round((Date.now() - start) / 1000);
  if (run.status !== 0) { console.error(`mutate: the ${pass} pass failed (exit ${run.status})`); process.exit(run.status ?? 1); }
}

// The lines docs/mutation.md's equivalents table names, per file: a row's first cell names
// `file.ts:LINE`, and may add more lines of that file as `, \`LINE\``.
function namedLines() {
  const doc = readFileSync(join(ROOT, 'docs/mutation.md'), 'utf8');
  const table = doc.slice(doc.indexOf('### Survivors judged equivalent')).split('\n## ')[0];
  const named = new Set();
  for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
    let file;
    for (const m of row.split(' | ')[0].matchAll(/`([\w.-]+\.ts):(\d+)`|`(\d+)`/g)) {
      if (m[1]) file = m[1];
      if (file) named.add(`${file}:${m[2] ?? m[3]}`);
    }
  }
  return named;
}
const NAMED = namedLines();
const unnamed = [];

const rows = [];
const survivors = [];
const lines = [];
const REPORTS = join(ROOT, 'reports/mutation');
mkdirSync(REPORTS, { recursive: true });
for (const name of readdirSync(REPORTS).filter((n) => n.endsWith('.json')).sort()) {
  const pass = name.slice(0, -'.json'.length);
  const file = join(REPORTS, name);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const count = (s) => f.mutants.filter((m) => m.status === s).length;
    const row = { pass, name, killed: count('Killed'), timeout: count('Timeout'), survived: count('Survived'), noCoverage: count('NoCoverage'), ignored: count('Ignored'), errors: count('RuntimeError') + count('CompileError') };
    rows.push(row);
    const source = f.source.split('\n');
    for (const m of f.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const { line, column } = m.location.start;
      const entry = `${name}:${line}:${column} ${m.status} ${m.mutatorName}: ${source[line - 1].trim()}\n    → ${m.replacement.replace(/\s*\n\s*/g, ' ')}`;
      survivors.push(entry);
      if (!NAMED.has(`${name.split('/').pop()}:${line}`)) unnamed.push(entry);
    }
  }
}
const score = (r) => {
  const detected = r.killed + r.timeout;
  const valid = detected + r.survived + r.noCoverage;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
};
const total = rows.reduce((t, r) => ({ ...t, killed: t.killed + r.killed, timeout: t.timeout + r.timeout, survived: t.survived + r.survived, noCoverage: t.noCoverage + r.noCoverage, ignored: t.ignored + r.ignored, errors: t.errors + r.errors }),
  { pass: '', name: 'all files', killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 });
lines.push('pass           file                                     killed timeout survived no-cov ignored errors  score');
for (const r of [...rows, total]) {
  lines.push(`${r.pass.padEnd(14)} ${r.name.padEnd(40)} ${String(r.killed).padStart(6)} ${String(r.timeout).padStart(7)} ${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(6)} ${String(r.ignored).padStart(7)} ${String(r.errors).padStart(6)} ${score(r).padStart(7)}`);
}
lines.push('score = (killed + timeout) / (killed + timeout + survived + no-cov), as Stryker counts it; "errors" are',
  'mutants that made a test file fail while loading (its module-level build throws), which Stryker leaves out of the score.');
for (const [pass, s] of Object.entries(seconds)) lines.push(`time of the ${pass} pass: ${Math.floor(s / 60)} min ${s % 60} s`);
lines.push('', `surviving and uncovered mutants (${survivors.length}):`, ...survivors);
lines.push('', `of them at a line docs/mutation.md's equivalents table does not name (${unnamed.length}):`, ...unnamed);
const text = `${lines.join('\n')}\n`;
writeFileSync(join(REPORTS, 'summary.txt'), text);
process.stdout.write(text);

import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pinnedBinary } from './pinned';

/** A YAML double-quoted string: JSON's escapes, and DEL escaped too (YAML refuses it written raw). */
export const yamlString = (s: string): string => JSON.stringify(s).replace(/\x7f/g, '\\x7f');

/**
 * Which of `expressions` the pinned promtool refuses, by index: one rule file holds each as the
 * expression of a recording rule in a group of its own, and `promtool check rules` names the groups
 * it refuses (it reports every refused group, not only the first).
 */
export function refusedByPromtool(expressions: readonly string[]): Set<number> {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-promtool-verdicts-'));
  try {
    const file = join(dir, 'rules.yml');
    writeFileSync(file, ['groups:', ...expressions.map((expr, i) => `  - {name: c${i}, rules: [{record: r, expr: ${yamlString(expr)}}]}`), ''].join('\n'));
    const run = spawnSync(pinnedBinary('promtool'), ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
    if (run.error) throw run.error;
    return new Set([...`${run.stdout}${run.stderr}`.matchAll(/group "c(\d+)"/g)].map((m) => Number(m[1])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

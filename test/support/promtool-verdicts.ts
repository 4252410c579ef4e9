import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pinnedBinary } from './pinned';

/** A YAML double-quoted string: JSON's escapes, and DEL escaped too (YAML refuses it written raw). */
export const yamlString = (s: string): string => JSON.stringify(s).replace(/\x7f/g, '\\x7f');

/**
 * What the pinned promtool says of each of `expressions`: its error (`1:5: parse error: …`), or
 * undefined when it accepts it. One rule file holds each as the expression of a recording rule in a
 * group of its own, and `promtool check rules` names the groups it refuses (it reports every refused
 * group, not only the first).
 */
export function promtoolErrors(expressions: readonly string[]): (string | undefined)[] {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-promtool-verdicts-'));
  try {
    const file = join(dir, 'rules.yml');
    writeFileSync(file, ['groups:', ...expressions.map((expr, i) => `  - {name: c${i}, rules: [{record: r, expr: ${yamlString(expr)}}]}`), ''].join('\n'));
    const run = spawnSync(pinnedBinary('promtool'), ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
    if (run.error) throw run.error;
    const errors: (string | undefined)[] = expressions.map(() => undefined);
    for (const m of `${run.stdout}${run.stderr}`.matchAll(/group "c(\d+)"(?:, rule 1, "r": could not parse expression: ([^\n]*))?/g)) {
      errors[Number(m[1])] ??= m[2] ?? 'refused';
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which of `expressions` the pinned promtool refuses, by index (promtoolErrors). */
export function refusedByPromtool(expressions: readonly string[]): Set<number> {
  return new Set(promtoolErrors(expressions).flatMap((error, i) => (error === undefined ? [] : [i])));
}

/**
 * The series selector table (test/support/selector-cases.ts) is what the pinned Prometheus accepts and
 * refuses: one rule file holds every selector as `count_over_time(<selector>[5m])` (a range is allowed
 * only after exactly one vector selector, and the newlines end a `#` comment), each in its own group,
 * and `promtool check rules` names the groups it refuses.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pinnedBinary } from './support/pinned';
import { SELECTOR_CASES } from './support/selector-cases';

let refusedGroups: Set<string>;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-selectors-'));
  try {
    const file = join(dir, 'rules.yml');
    writeFileSync(file, ['groups:', ...SELECTOR_CASES.map(([selector], i) =>
      `  - {name: c${i}, rules: [{record: r, expr: ${JSON.stringify(`count_over_time(\n${selector}\n[5m])`)}}]}`), ''].join('\n'));
    const run = spawnSync(pinnedBinary('promtool'), ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
    if (run.error) throw run.error;
    refusedGroups = new Set([...`${run.stdout}${run.stderr}`.matchAll(/group "(c\d+)"/g)].map((m) => m[1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the check itself: promtool refuses some groups and accepts others', () => {
  expect(refusedGroups.size).toBeGreaterThan(0);
  expect(refusedGroups.size).toBeLessThan(SELECTOR_CASES.length);
});

test.each(SELECTOR_CASES.map(([s, problem], i) => [s, problem === undefined ? 'accepts' : 'refuses', i] as const))('Prometheus parses %j as one series selector: it %s it', (_selector, verdict, i) => {
  expect(refusedGroups.has(`c${i}`) ? 'refuses' : 'accepts').toBe(verdict);
});

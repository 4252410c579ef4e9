/**
 * The series selector table (test/support/selector-cases.ts) is what the pinned Prometheus accepts and
 * refuses: one rule file holds every selector as `count_over_time(<selector>[5m])` (a range is allowed
 * only after exactly one vector selector, and the newlines end a `#` comment), each in its own group,
 * and `promtool check rules` names the groups it refuses.
 */
import { refusedByPromtool } from './support/promtool-verdicts';
import { SELECTOR_CASES } from './support/selector-cases';
import { caseTitle } from './support/case-title';

let refused: Set<number>;
beforeAll(() => {
  refused = refusedByPromtool(SELECTOR_CASES.map(([selector]) => `count_over_time(\n${selector}\n[5m])`));
});

test('the check itself: promtool refuses some groups and accepts others', () => {
  expect(refused.size).toBeGreaterThan(0);
  expect(refused.size).toBeLessThan(SELECTOR_CASES.length);
});

test.each(SELECTOR_CASES.map(([s, problem], i) => [caseTitle(s), problem === undefined ? 'accepts' : 'refuses', i] as const))('Prometheus parses %s as one series selector: it %s it', (_selector, verdict, i) => {
  expect(refused.has(i) ? 'refuses' : 'accepts').toBe(verdict);
});

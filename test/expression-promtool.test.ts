/**
 * The expression table (test/support/expression-cases.ts) is what the pinned Prometheus accepts and
 * refuses in a rule's `expr`: promtool reads every expression of one rule file, each in a group of its
 * own (test/support/promtool-verdicts.ts).
 */
import { EXPRESSION_CASES } from './support/expression-cases';
import { refusedByPromtool } from './support/promtool-verdicts';

let refused: Set<number>;
beforeAll(() => {
  refused = refusedByPromtool(EXPRESSION_CASES.map(([expression]) => expression));
});

test('the check itself: promtool refuses some groups and accepts others', () => {
  expect(refused.size).toBeGreaterThan(0);
  expect(refused.size).toBeLessThan(EXPRESSION_CASES.length);
});

test.each(EXPRESSION_CASES.map(([e, problem], i) => [e, problem === undefined ? 'accepts' : 'refuses', i] as const))('Prometheus reads %j as a rule expression: it %s it', (_expression, verdict, i) => {
  expect(refused.has(i) ? 'refuses' : 'accepts').toBe(verdict);
});

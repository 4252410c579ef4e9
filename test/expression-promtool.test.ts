/**
 * The expression table (test/support/expression-cases.ts) is what the pinned Prometheus accepts and
 * refuses in a rule's `expr`, and the synth refuses exactly the functions and aggregations the pinned
 * Prometheus does not have: promtool reads every expression of one rule file, each in a group of its
 * own (test/support/promtool-verdicts.ts).
 */
import { findPromqlSyntaxError } from '../lib/content/promql';
import { everyFunctionCall, EXPRESSION_CASES } from './support/expression-cases';
import { refusedByPromtool } from './support/promtool-verdicts';
import { caseTitle } from './support/case-title';

const calls = everyFunctionCall();
let refused: Set<number>;
let refusedCalls: Set<number>;
beforeAll(() => {
  refused = refusedByPromtool(EXPRESSION_CASES.map(([expression]) => expression));
  refusedCalls = refusedByPromtool(calls.map((c) => c.expression));
});

test('the check itself: promtool refuses some expressions and calls and accepts others', () => {
  expect(refused.size).toBeGreaterThan(0);
  expect(refused.size).toBeLessThan(EXPRESSION_CASES.length);
  expect(calls.length).toBeGreaterThan(90); // the grammar of 3.x knows about 100
  expect(refusedCalls.size).toBeGreaterThan(0);
  expect(refusedCalls.size).toBeLessThan(calls.length / 2);
});

test.each(EXPRESSION_CASES.map(([e, problem], i) => [caseTitle(e), problem === undefined ? 'accepts' : 'refuses', i] as const))('Prometheus reads %s as a rule expression: it %s it', (_expression, verdict, i) => {
  expect(refused.has(i) ? 'refuses' : 'accepts').toBe(verdict);
});

test('every function and aggregation the grammar knows is refused at synth exactly when the pinned Prometheus refuses it', () => {
  const disagree = calls
    .map((c, i) => ({ ...c, promtool: refusedCalls.has(i) ? 'refuses' : 'accepts', synth: findPromqlSyntaxError(c.expression) ? 'refuses' : 'accepts' }))
    .filter((c) => c.promtool !== c.synth)
    .map((c) => `${c.expression}: promtool ${c.promtool}, synth ${c.synth}`);
  expect(disagree).toEqual([]);
});

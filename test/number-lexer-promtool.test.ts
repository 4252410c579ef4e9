/**
 * Numbers and durations glued to what follows them (`1and up`, `up offset 5mor up`, `0x1e-3`), in every
 * place a number occurs, as the pinned promtool reads them: lib/content/promql-numbers.ts ports the
 * lexer's number scan (lex.go of v3.5.3), and findPromqlSyntaxError must refuse what that lexer refuses.
 * promtool reads every expression of one rule file (test/support/promtool-verdicts.ts).
 */
import { findPromqlSyntaxError } from '../lib/content/promql';
import { lexNumberOrDuration } from '../lib/content/promql-numbers';
import { promtoolErrors } from './support/promtool-verdicts';

const NUMBERS = ['1', '100', '0', '0x1e', '0x1f', '0xe', '0x0', '1.5', '.5', '1e3', '1E3', '1e-3', '1_000', '5m', '1h30m', '5ms', '010'];
const GLUED = ['', 'a', 'and', 'or', 'unless', 'atan2', 'e', 'E', 'x', '_', '_1', '.', '.5', 'e+', 'e-3', 'e3', '+3', '-3', 's', 'm', 'ms', '5', '5m', 'offset', 'inf', ' and'];
const PLACES = ['X', 'X and up', 'up + X', '-X', 'up[X]', 'up[5m:X]', 'up[X:1m]', 'up offset X', 'up offset -X or up', 'up @ X', 'up @ X unless up', 'clamp(up, X, 2)', 'topk(X, up)', 'up > bool X'];
const CORPUS = [...new Set(PLACES.flatMap((place) => NUMBERS.flatMap((n) => GLUED.map((g) => place.replaceAll('X', n + g)))))];

/** Numbers Prometheus takes that the grammar does not (`5.`, `0X1F`, `0x_1f`, `0x1_0`): refused at synth, as the README says. */
const LEFT = /(?<![\w.])(?:\d[\d_]*\.(?![\d])|0X|0x[\da-fA-F]*_)/;

let promtool: (string | undefined)[];
beforeAll(() => {
  promtool = promtoolErrors(CORPUS);
});

test('the corpus holds thousands of expressions, some of which promtool accepts and many of which it refuses for a bad number', () => {
  expect(CORPUS.length).toBeGreaterThan(5000);
  expect(promtool.filter((p) => p === undefined).length).toBeGreaterThan(500);
  expect(promtool.filter((p) => p?.includes('bad number or duration syntax')).length).toBeGreaterThan(2000);
});

test('the port of lexNumberOrDuration stops where the pinned lexer does and fails on the same text', () => {
  const wrong = CORPUS.flatMap((e, i) => {
    const m = /^1:(\d+): parse error: bad number or duration syntax: "(.*)"$/.exec(promtool[i] ?? '');
    if (!m) return [];
    const start = Number(m[1]) - 1;
    const lexed = lexNumberOrDuration(e, start);
    return lexed.kind === 'error' && e.slice(start, lexed.end) === m[2] ? [] : [`${JSON.stringify(e)}: promtool ${promtool[i]}, port ${lexed.kind} ${e.slice(start, lexed.end)}`];
  });
  expect(wrong).toEqual([]);
});

test('synth refuses every expression of the corpus promtool refuses, and refuses no other but the numbers the grammar cannot read', () => {
  const synth = CORPUS.map((e) => findPromqlSyntaxError(e)?.message);
  const accepted = CORPUS.flatMap((e, i) => (synth[i] === undefined && promtool[i] !== undefined ? [`${JSON.stringify(e)}: ${promtool[i]}`] : []));
  expect(accepted).toEqual([]);
  // The grammar refuses those (a syntax error); the checks this test is about refuse none of them.
  const refused = CORPUS.flatMap((e, i) => (synth[i] !== undefined && promtool[i] === undefined ? [{ e, synth: synth[i]! }] : []));
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.filter((r) => !LEFT.test(r.e) || !r.synth.startsWith('syntax error at offset'))).toEqual([]);
});

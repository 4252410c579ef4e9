/**
 * The port of lex.go's number scan (lib/content/promql-numbers.ts) on inputs the generated corpus of
 * test/number-lexer-promtool.test.ts does not reach: each expected end and kind is what lexNumberOrDuration,
 * scanNumber and acceptRemainingDuration of promql/parser/lex.go at v3.5.3 give, and each whole-expression
 * verdict is the pinned promtool's.
 */
import { promqlParser } from '../lib/config/promql-syntax';
import { findPromqlSyntaxError } from '../lib/content/promql';
import { lexedNumberProblem, lexNumberOrDuration } from '../lib/content/promql-numbers';
import { promtoolErrors } from './support/promtool-verdicts';

test.each([
  // scanNumber, l. 940: the "_" right after "0x" is read (then the number ends at the end of the input).
  ['0x_', 3, 'number'],
  // a "." before the first digit is read before the loop (l. 954), so a second "." after digits is the loop's first.
  ['.5.5', 4, 'number'],
  // l. 977: a "." may not be followed by "_" (which is read into the bad token).
  ['1._5', 3, 'error'],
  // l. 997: a "_" may not be followed by "." (read into the bad token).
  ['1_.5', 3, 'error'],
  // acceptRemainingDuration, l. 907: units after the digits scanNumber read.
  ['5m', 2, 'duration'],
  ['1e3m', 4, 'duration'],
  // l. 1006: "Empty string is not a valid number", and no unit follows: the error holds no text.
  [' 1', 0, 'error'],
] as const)('lexNumberOrDuration(%j) ends at %d with a %s', (input, end, kind) => {
  expect(lexNumberOrDuration(input, 0)).toEqual({ end, kind });
});

test('a number read as a duration: the lexer reads `1e3m` as one duration (promtool: unknown unit "e" in duration "1e3m")', () => {
  const expr = '1e3m';
  expect(promtoolErrors([expr])[0]).toBe('1:1: parse error: unknown unit "e" in duration "1e3m"');
  let number: ReturnType<typeof lexedNumberProblem>;
  promqlParser().parse(expr).iterate({
    enter: (n) => {
      if (n.type.name === 'NumberDurationLiteral') number = lexedNumberProblem(n.node, expr);
    },
  });
  expect(number!).toEqual({ at: 0, problem: 'Prometheus\'s lexer reads "1e3m" as one duration, not as 1e3 and what follows — put a space after 1e3' });
});

test('a sign, a comment and a line break before a number are skipped: the number is checked where it starts', () => {
  const exprs = ['- # c\n0x1e', '- # c\n0x1e + 1'];
  expect(promtoolErrors(exprs)).toEqual(['2:1: parse error: bad number or duration syntax: "0x1e"', undefined]);
  expect(exprs.map((e) => findPromqlSyntaxError(e)?.message)).toEqual([
    'at offset 6: bad number or duration syntax: "0x1e" (an "e" after a hexadecimal digit is an exponent to it) — write 0x1e in decimal (30)',
    undefined,
  ]);
});

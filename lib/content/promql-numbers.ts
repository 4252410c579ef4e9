import type { SyntaxNode } from '@lezer/common';

/**
 * Where the pinned Prometheus's lexer ends a number or a duration, which is not always where the Lezer
 * grammar ends it: a letter, digit or "_" right after it makes the token bad (`1and up` fails with
 * bad number or duration syntax: "1", where the grammar reads `1 and up`), and the lexer takes an `e` of
 * a hexadecimal number as an exponent (`0x1e-3` is one token, which parse.go's number, l. 672, fails on).
 *
 * A port of promql/parser/lex.go at v3.5.3 (the series descriptions of promtool's unit tests left out):
 * lexStatements (l. 451) and lexDurationExpr (l. 1136, inside `[…]`) both hand a digit, or a "." before
 * a digit, to lexNumberOrDuration (l. 893): scanNumber (l. 933) reads a number, which must not be followed
 * by a letter, digit or "_" (isAlphaNumeric, l. 1068); failing that acceptRemainingDuration (l. 907) reads
 * units and more digits on from where scanNumber stopped, and the next character must not be one either;
 * failing both, the error is "bad number or duration syntax" with the text read so far.
 */

/** What lexNumberOrDuration reads from `start`: a token (NUMBER or DURATION) or an error, ending at `end`. */
export interface LexedNumber {
  readonly end: number;
  readonly kind: 'number' | 'duration' | 'error';
}

const DIGITS = '0123456789';
const HEX_DIGITS = `${DIGITS}abcdefABCDEF`;

const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

/** lexNumberOrDuration of lex.go v3.5.3 on `input` from `start`, which holds a digit or a "." before one. */
export function lexNumberOrDuration(input: string, start: number): LexedNumber {
  let pos = start;
  // l.is / l.accept: the end of the input is in no set of runes.
  const is = (valid: string): boolean => pos < input.length && valid.includes(input[pos]);
  const accept = (valid: string): boolean => {
    if (!is(valid)) return false;
    pos++;
    return true;
  };
  const atEnd = (): boolean => pos >= input.length;

  const scanNumber = (): boolean => {
    let digits = DIGITS;
    if (accept('0') && accept('xX')) {
      accept('_');
      digits = HEX_DIGITS;
    }
    accept('.');
    accept(digits);
    let dot = false;
    let exponent = false;
    while (is(`${digits}._eE`)) {
      // A second "." or exponent is read into the bad token.
      if ((dot && accept('.')) || (exponent && accept('eE'))) return false;
      if (accept('.')) {
        dot = true;
        if (accept('_.') || digits === HEX_DIGITS) return false;
      } else if (accept('eE')) {
        exponent = true;
        accept('+-');
        if (accept('._eE') || atEnd()) return false;
      } else if (accept('_')) {
        if (accept('._eE') || atEnd()) return false;
      } else {
        while (accept(digits));
      }
    }
    return pos !== start && !isAlphaNumeric(input[pos]);
  };

  const acceptRemainingDuration = (): boolean => {
    if (!accept('smhdwy')) return false;
    accept('s');
    while (accept(DIGITS)) {
      while (accept(DIGITS));
      if (!accept('smhdw')) return false;
      accept('s');
    }
    // !isAlphaNumeric(l.next()): a letter, digit or "_" is read into the bad token; anything else is backed up.
    if (isAlphaNumeric(input[pos])) {
      pos++;
      return false;
    }
    return true;
  };

  if (scanNumber()) return { end: pos, kind: 'number' };
  const kind = acceptRemainingDuration() ? 'duration' : 'error';
  return { end: pos, kind };
}

/**
 * A number or duration of the Lezer tree (NumberDurationLiteral, NumberDurationLiteralInDurationContext)
 * that the pinned Prometheus's lexer reads otherwise: it fails on it, or its token ends elsewhere.
 * `inf` and `nan` are identifiers to the lexer, not numbers.
 */
export function lexedNumberProblem(node: SyntaxNode, expr: string): { at: number; problem: string } | undefined {
  // Signs, spaces and comments (to the end of their line, as the grammar's LineComment) before the number are tokens of their own.
  const skip = /(?:[-+\s]|#[^\n]*)*/y;
  skip.lastIndex = node.from;
  const start = node.from + skip.exec(expr)![0].length;
  if (!/[0-9.]/.test(expr[start])) return undefined;
  const lexed = lexNumberOrDuration(expr, start);
  if (lexed.kind !== 'error' && lexed.end === node.to) return undefined;
  const written = expr.slice(start, node.to);
  const read = JSON.stringify(expr.slice(start, lexed.end));
  const hex = /^0x/.test(written);
  // `0x1ee` is bad even alone, and `0x1e` at the end of the expression: such a number is written in decimal.
  // (The grammar's hexadecimal number is "0x" and hexadecimal digits: followed by a space, the lexer reads all of it or fails.)
  const inDecimal = hex && (lexNumberOrDuration(`${written} `, 0).kind === 'error' || node.to === expr.length);
  const fix = inDecimal ? `write ${written} in decimal (${BigInt(written)})` : `put a space after ${written}`;
  const exponent = ' (an "e" after a hexadecimal digit is an exponent to it)';
  const problem = (message: string) => ({ at: start, problem: `${message} — ${fix}` });
  if (lexed.kind !== 'error') return problem(`Prometheus's lexer reads ${read} as one ${lexed.kind}${hex ? exponent : ''}, not as ${written} and what follows`);
  return problem(`bad number or duration syntax: ${read}${inDecimal ? exponent : ` (Prometheus's lexer reads a number or duration on through the letters, digits and "_" after it)`}`);
}

import type { SyntaxNode } from '@lezer/common';
import type { LRParser } from '@lezer/lr';
import { re2Problem } from './syntax';

/**
 * PromQL as Prometheus's lexer and parser read it, beyond what its Lezer grammar checks (the grammar
 * takes any escape and any regex): the value of a string literal, what Prometheus refuses in a string
 * or a vector selector, and whole series selectors (federation `match[]`). One reader for every check
 * (config values, rule and panel expressions, the job check of rules), so that they cannot disagree.
 * test/support/selector-cases.ts and test/support/expression-cases.ts hold the verdicts, checked
 * against the pinned promtool.
 */

/** The escapes Prometheus's PromQL lexer takes in a quoted string (Go's), and anything else after a backslash. */
const STRING_ESCAPE = /\\(?:[abfnrtv\\]|[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|(.))/gs;

/** Go's one-letter escapes. */
const CONTROL: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * The value of a PromQL string literal as Prometheus reads it, or what its lexer refuses in it. A raw
 * string is taken as written. In a quoted one: Go's escapes (`\x61` and `\141` are one byte each, so
 * `\xc3\xa9` is "é"; `\u00e9` and `\U0001F600` are code points), the string's own quote escaped; the
 * other quote escaped, an unknown escape, an octal escape above `\377` or a surrogate code point are
 * refused, as the pinned promtool refuses them (test/syntax-tables.test.ts, test/support/selector-cases.ts).
 * A string without its closing quote is refused too: the grammar takes one (`"a`, `"a\"`), the lexer
 * does not. `utf8` is false when the escapes make bytes that are not UTF-8 (`"\xff"`): the value
 * then holds U+FFFD in their place, and Prometheus refuses such a string as a label name to group by.
 */
export function readPromqlString(literal: string): { value: string; utf8: boolean } | { problem: string } {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  // Closed: at least two characters, ending with the opening quote, which is not escaped (an even run of backslashes before it).
  if (literal.length < 2 || !literal.endsWith(quote) || (quote !== '`' && /(?:^|[^\\])(?:\\\\)*\\$/.test(body))) {
    return { problem: `has no closing ${quote}` };
  }
  if (quote === '`') return { value: body, utf8: true };
  let problem: string | undefined;
  const bytes: Buffer[] = [];
  let last = 0;
  for (const m of body.matchAll(STRING_ESCAPE)) {
    const esc = m[0];
    bytes.push(Buffer.from(body.slice(last, m.index)));
    last = m.index! + esc.length;
    const other = m[1];
    if (other !== undefined) {
      if (other !== quote) problem ??= `has the escape "${esc}" in ${literal}, which PromQL does not know`;
      bytes.push(Buffer.from(other));
    } else if (esc[1] in CONTROL) {
      bytes.push(Buffer.from(CONTROL[esc[1]]));
    } else if (esc[1] === 'u' || esc[1] === 'U') {
      const code = parseInt(esc.slice(2), 16);
      if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) problem ??= `has the escape "${esc}" in ${literal}, which is not a character`;
      else bytes.push(Buffer.from(String.fromCodePoint(code)));
    } else {
      const code = esc[1] === 'x' ? parseInt(esc.slice(2), 16) : parseInt(esc.slice(1), 8);
      if (code > 0xff) problem ??= `has the escape "${esc}" in ${literal}, which is not a character`;
      else bytes.push(Buffer.from([code]));
    }
  }
  bytes.push(Buffer.from(body.slice(last)));
  if (problem !== undefined) return { problem };
  const read = Buffer.concat(bytes);
  const value = read.toString('utf8');
  return { value, utf8: Buffer.from(value).equals(read) };
}

/**
 * Prometheus's PromQL grammar, loaded on first use: a synth whose results are all stored
 * (lib/config/memo.ts) never needs it. The package declares `"type": "module"` for its typings but
 * ships a CommonJS build under `require`; this project is CommonJS, so load that build and type it
 * with the parser class it exports.
 */
let grammar: LRParser | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const promqlParser = (): LRParser => (grammar ??= (require('@prometheus-io/lezer-promql') as { parser: LRParser }).parser);

/** The operator (`EqlSingle`, `Neq`, `EqlRegex`, `NeqRegex`) of the matcher whose value `node` is, if it is one. */
export function matcherOperator(node: SyntaxNode): string | undefined {
  return node.prevSibling?.type.name === 'MatchOp' ? node.prevSibling.firstChild?.type.name : undefined;
}

/**
 * What Prometheus's parser refuses in one string literal of an expression: an escape it does not know
 * (readPromqlString), and in the value of a `=~` or `!~` matcher a regex RE2 refuses.
 */
export function promqlStringProblem(literal: string, operator: string | undefined): string | undefined {
  const read = readPromqlString(literal);
  if ('problem' in read) return read.problem;
  if (operator !== 'EqlRegex' && operator !== 'NeqRegex') return undefined;
  const re = re2Problem(read.value, false);
  return re === undefined ? undefined : `has the regex ${JSON.stringify(read.value)} that ${re}`;
}

/**
 * Why Prometheus would refuse the vector selector `node` of `text` for matching everything: it has no
 * metric name and every matcher matches the empty value (`{job=""}`, `{job=~".*"}`). Undefined when
 * it names a metric (`up`, `{"up"}`) or one matcher refuses the empty value.
 */
export function emptySelectorProblem(node: SyntaxNode, text: string): string | undefined {
  if (node.getChild('Identifier')) return undefined;
  const refusesEmpty = (n: SyntaxNode): boolean => {
    if (n.type.name === 'StringLiteral') {
      const op = matcherOperator(n);
      if (op === undefined) return n.parent?.parent?.type.name === 'LabelMatchers'; // {"metric.name"}
      // A string Prometheus refuses is the string check's to report, not a reason to call the selector empty.
      const read = readPromqlString(text.slice(n.from, n.to));
      return !('value' in read) || !matchesEmpty(read.value, op);
    }
    for (let c = n.firstChild; c; c = c.nextSibling) if (refusesEmpty(c)) return true;
    return false;
  };
  return refusesEmpty(node) ? undefined : 'has no matcher that refuses the empty value, such as a metric name or job="x"';
}

/**
 * Whether a series selector such as `{__name__=~"job:.*"}` or `up{job="x"}` (federation `match[]`)
 * is refused: parsed with Prometheus's own PromQL grammar, it must be exactly one vector selector
 * (comments aside) without error nodes, its strings must use Go's escapes, and every regex matcher
 * must compile in RE2, and at least one matcher (or the metric name) must refuse the empty value.
 * test/selector-promtool.test.ts checks the verdicts of test/support/selector-cases.ts against the
 * pinned promtool. Left: whether a regex matches the empty value is read with JavaScript's engine,
 * so `{job=~"(?i)"}` (which only Go compiles) is accepted although Prometheus refuses it.
 */
export function seriesSelectorProblem(selector: string): string | undefined {
  if (selector.trim() === '') return 'is empty';
  const tree = promqlParser().parse(selector);
  const items: string[] = [];
  for (let c = tree.topNode.firstChild; c; c = c.nextSibling) if (c.type.name !== 'LineComment') items.push(c.type.name);
  if (items.join() !== 'VectorSelector') return 'is not one series selector such as up{job="x"} or {__name__=~"job:.*"}';
  let problem: string | undefined;
  tree.iterate({
    enter: (node) => {
      if (problem) return false;
      if (node.type.isError) problem = `is not PromQL: syntax error at offset ${node.from}`;
      else if (node.type.name === 'StringLiteral') problem = promqlStringProblem(selector.slice(node.from, node.to), matcherOperator(node.node));
      return undefined;
    },
  });
  return problem ?? emptySelectorProblem(tree.topNode.getChild('VectorSelector')!, selector);
}

/**
 * Whether the matcher `op` with `value` matches the empty label value (Prometheus refuses a selector
 * whose every matcher does). A regex is tried in JavaScript's engine; one it cannot compile counts as
 * not matching.
 */
function matchesEmpty(value: string, op: string): boolean {
  let regexEmpty: boolean;
  try {
    regexEmpty = new RegExp(`^(?:${value})$`, 's').test('');
  } catch {
    regexEmpty = false;
  }
  return { EqlSingle: value === '', Neq: value !== '', EqlRegex: regexEmpty, NeqRegex: !regexEmpty }[op] ?? false;
}

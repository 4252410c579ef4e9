import type { SyntaxNode, Tree } from '@lezer/common';

import { readPromqlString } from '../config/promql-syntax';
import { lexedNumberProblem } from './promql-numbers';

/**
 * What the pinned Prometheus's parser (promql/parser/generated_parser.y and parse.go of v3.5.3)
 * refuses in the literals of an expression that its Lezer grammar takes: numbers out of range, durations
 * out of range or not greater than 0 where a range or a step needs one, duration arithmetic (experimental,
 * not enabled), `@` timestamps out of range, grouping labels that are not label names, aggregations
 * with the wrong number of arguments, the operator `atan2` as a metric name, a label both in on (…) and
 * in group_left/group_right, comments where the lexer reads a duration, spaces the lexer does not know,
 * and numbers it reads otherwise (promql-numbers.ts). test/support/expression-cases.ts holds the verdicts,
 * checked against the pinned promtool.
 */

/** A problem the pinned Prometheus's parser finds at one place of an expression. */
export interface ParserProblem {
  readonly offset: number;
  readonly message: string;
}

/** The largest duration Prometheus takes, in seconds: time.Duration's int64 nanoseconds. */
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_NS = [365n * 86_400n, 7n * 86_400n, 86_400n, 3_600n, 60n, 1n].map((s) => s * 1_000_000_000n).concat([1_000_000n]);
const OUT_OF_RANGE = 'is out of range (a PromQL duration is at most about 292 years)';

/**
 * The value in seconds of a number or duration token (`5m`, `1e3`, `0x1f`, `Inf`; sign and spaces
 * before it allowed), as the pinned Prometheus reads it: a duration with model.ParseDuration (at most
 * 2^63-1 ns), a number with Go's strconv (a hexadecimal one must fit in an int64, a decimal one in a
 * float64).
 */
export function literalValue(written: string): { value: number } | { problem: string } {
  const text = withoutComments(written);
  const body = text.replace(/^[-+\s]+/, '');
  // Only the signs before the number count: the "-" of an exponent (1e-3) is not one.
  const sign = (text.slice(0, text.length - body.length).match(/-/g)?.length ?? 0) % 2 ? -1 : 1;
  if (/^inf$/i.test(body)) return { value: sign * Infinity };
  if (/^nan$/i.test(body)) return { value: NaN };
  // Only digits and unit letters match (or nothing, read as 0 either way): never a plain, hexadecimal or exponent number.
  const units = DURATION.exec(body);
  if (units) {
    const ns = units.slice(1).reduce((sum, n, i) => sum + (n === undefined ? 0n : BigInt(n) * UNIT_NS[i]), 0n);
    return ns > 2n ** 63n - 1n ? { problem: OUT_OF_RANGE } : { value: (sign * Number(ns)) / 1e9 };
  }
  if (/^0x/i.test(body)) {
    return BigInt(body) > 2n ** 63n - 1n ? { problem: 'does not fit in 64 bits, as a hexadecimal PromQL number must' } : { value: sign * Number(BigInt(body)) };
  }
  const value = Number(body.replace(/_/g, ''));
  return Number.isFinite(value) ? { value: sign * value } : { problem: 'is out of range of a 64-bit float' };
}

const PLACE: Record<string, string> = { range: 'the range', step: 'the subquery step', offset: 'the offset' };

/**
 * The duration of a range `[…]`, a subquery step `[…:…]` or an offset: a number or a duration with
 * signs before it. Anything else (`5m+1m`, `(5m)`) is a duration expression, which the pinned
 * Prometheus refuses unless --enable-feature=promql-duration-expr is set.
 */
function durationProblem(node: SyntaxNode, expr: string): string | undefined {
  const parent = node.parent!.type.name;
  const place = parent === 'OffsetExpr' ? 'offset' : parent === 'SubqueryExpr' && previous(node).type.name === 'DurationExpr' ? 'step' : 'range';
  let n = node;
  for (;;) {
    const kids = children(n);
    if (kids.length === 2 && kids[0].type.name === 'UnaryOp' && kids[1].type.name === n.type.name) n = kids[1];
    else if (kids.length === 1 && kids[0].type.name === 'NumberDurationLiteralInDurationContext') break;
    else {
      // A part of a later release inside (step() …) is reported by promql.ts, before this problem.
      return `${PLACE[place]} ${text(node, expr)} is a duration expression, which is experimental in the pinned Prometheus and needs --enable-feature=promql-duration-expr, which this stack does not set — write a duration such as 5m`;
    }
  }
  const written = text(node, expr);
  if (place !== 'offset' && /inf|nan/i.test(written)) return `${PLACE[place]} ${written} is not a duration — write a duration such as 5m or a number of seconds`;
  const read = literalValue(written);
  if ('problem' in read) return `${PLACE[place]} ${written} ${read.problem}`;
  if (Math.abs(read.value) > MAX_DURATION_SECONDS) return `${PLACE[place]} ${written} ${OUT_OF_RANGE}`;
  if (place !== 'offset' && !(read.value > 0)) return `${PLACE[place]} ${written} must be greater than 0`;
  return undefined;
}

/** A number in an expression, or the timestamp after `@`: Unix seconds whose milliseconds fit in an int64. */
function numberProblem(node: SyntaxNode, expr: string): string | undefined {
  const written = text(node, expr);
  const read = literalValue(written);
  const isDuration = !/^[-+\s]*0x/i.test(withoutComments(written)) && /\d(?:ms|[ywdhms])/.test(written);
  if ('problem' in read) return `the ${isDuration ? 'duration' : 'number'} ${written} ${read.problem}`;
  const v = read.value;
  if (node.parent?.type.name === 'StepInvariantExpr' && !(Math.abs(v) < 2 ** 63)) {
    return `the @ timestamp ${written} is out of range — write a Unix time in seconds, such as 1700000000`;
  }
  return undefined;
}

/** Labels to group by (`by`, `without`, `on`, `ignoring`, `group_left`, `group_right`): label names, not numbers. */
function groupingProblem(node: SyntaxNode, expr: string): string | undefined {
  for (const label of children(node)) {
    const written = text(label, expr);
    if (label.type.name === 'LabelName' && /^(inf|nan)$/i.test(written)) {
      return `${written} in ${text(node, expr)} is a number to PromQL, not a label name — quote it, as in ${text(previous(node), expr)} ("${written}")`;
    }
    if (label.type.name !== 'QuotedLabelName') continue;
    const read = readPromqlString(written);
    if ('value' in read && (read.value === '' || !read.utf8)) return `${written} in ${text(node, expr)} is not a label name (an empty name, or bytes that are not UTF-8)`;
  }
  return undefined;
}

const WITH_PARAMETER = new Set(['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);

/** The arguments of an aggregation: the vector, after a parameter for topk, bottomk, quantile and count_values. */
function aggregationArgumentsProblem(body: SyntaxNode, expr: string): string | undefined {
  const op = text(body.parent!.firstChild!, expr).toLowerCase();
  const want = WITH_PARAMETER.has(op) ? 2 : 1;
  const got = body.getChildren('Expr').length;
  if (got === want) return undefined;
  return `${op}() takes ${want === 2 ? 'a parameter and the vector to aggregate' : 'only the vector to aggregate'}, but has ${got} argument(s)`;
}

/**
 * A label both in on (…) and in group_left (…) or group_right (…) of `binary`, which Prometheus's checkAST
 * refuses; the UI's type checker finds it too, but only among unquoted names.
 */
function onAndGroupProblem(binary: SyntaxNode, expr: string): string | undefined {
  const clause = binary.getChild('MatchingModifierClause');
  if (!clause?.getChild('On')) return undefined;
  const name = (label: SyntaxNode): string | undefined => {
    const read = label.type.name === 'QuotedLabelName' ? readPromqlString(text(label, expr)) : { value: text(label, expr) };
    return 'value' in read ? read.value : undefined;
  };
  const [on, group] = clause.getChildren('GroupingLabels').map((labels) => children(labels).map(name));
  const both = group?.find((label) => label !== undefined && on.includes(label));
  return both === undefined ? undefined : `label ${JSON.stringify(both)} must not occur in ON and GROUP clause at once`;
}

/**
 * A comment between the `[` of a range or subquery and its first number: Prometheus's lexer reads what
 * follows a `[` as a duration (lexDurationExpr, which knows no `#`) until that number.
 */
function bracketCommentProblem(comment: SyntaxNode, expr: string): string | undefined {
  let outer = comment.parent;
  while (outer && outer.type.name !== 'MatrixSelector' && outer.type.name !== 'SubqueryExpr') outer = outer.parent;
  const duration = outer?.getChild('DurationExpr');
  const first = duration && firstNumber(duration);
  if (!first || comment.from > first.from) return undefined;
  let bracket = children(outer!)[0].to;
  for (; expr[bracket] !== '['; bracket++) if (expr[bracket] === '#') bracket = expr.indexOf('\n', bracket);
  if (comment.from < bracket) return undefined;
  return `the comment ${text(comment, expr)} lies between "[" and the duration, where Prometheus's lexer takes no comment (unexpected character in duration expression) — move it after the duration`;
}

function firstNumber(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.name === 'NumberDurationLiteralInDurationContext') return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const found = firstNumber(c);
    if (found) return found;
  }
  return undefined;
}

/** What the pinned Prometheus's parser refuses at `node`, beyond its grammar and the UI's type checker. */
export function literalProblem(node: SyntaxNode, expr: string): ParserProblem | undefined {
  const name = node.type.name;
  const parent = node.parent?.type.name;
  // The lexer runs before the parser: a number it reads otherwise comes first (a range's or an offset's first one with it).
  const duration = (name === 'DurationExpr' || name === 'OffsetDurationExpr') && parent !== name;
  const number = name === 'NumberDurationLiteral' ? node : duration ? firstNumber(node) : undefined;
  const lexed = number && lexedNumberProblem(number, expr);
  if (lexed) return { offset: lexed.at, message: `at offset ${lexed.at}: ${lexed.problem}` };
  let problem: string | undefined;
  if (duration) problem = durationProblem(node, expr);
  else if (name === 'NumberDurationLiteral') problem = numberProblem(node, expr);
  else if (name === 'GroupingLabels') problem = groupingProblem(node, expr);
  else if (name === 'FunctionCallBody' && parent === 'AggregateExpr') problem = aggregationArgumentsProblem(node, expr);
  else if (name === 'BinaryExpr') problem = onAndGroupProblem(node, expr);
  else if (name === 'LineComment') problem = bracketCommentProblem(node, expr);
  else if (name === 'Identifier' && parent === 'VectorSelector' && text(node, expr).toLowerCase() === 'atan2') {
    problem = `${text(node, expr)} is an operator in PromQL, not a metric name — select the metric as {__name__="${text(node, expr)}"}`;
  }
  return problem === undefined ? undefined : { offset: node.from, message: `at offset ${node.from}: ${problem}` };
}

/**
 * A space the grammar skips but Prometheus's lexer refuses (it knows only space, tab, line feed and
 * carriage return), outside strings and comments.
 */
export function spaceProblem(tree: Tree, expr: string): ParserProblem | undefined {
  for (const m of expr.matchAll(/[^\S \t\n\r]/g)) {
    const at = tree.resolveInner(m.index!, 1);
    if (at.type.name === 'StringLiteral' || at.type.name === 'LineComment') continue;
    const code = `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return { offset: m.index!, message: `at offset ${m.index}: the character ${code} is not a space to PromQL (only space, tab and line breaks are) — replace it with a space` };
  }
  return undefined;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.type.name !== 'LineComment') out.push(c);
  return out;
}

/** The sibling before `node`, comments skipped: every node this file asks it of has one (a keyword, an expression). */
function previous(node: SyntaxNode): SyntaxNode {
  let p = node.prevSibling!;
  while (p.type.name === 'LineComment') p = p.prevSibling!;
  return p;
}

/** A literal's text without the comments the grammar lets in between its sign and its number. */
function withoutComments(written: string): string {
  return written.replace(/#[^\n]*/g, '');
}

function text(node: SyntaxNode, expr: string): string {
  return expr.slice(node.from, node.to);
}

import type { SyntaxNode } from '@lezer/common';

import { literalValue, type ParserProblem } from './promql-literals';

/**
 * Ranges `[5m]`, subqueries `[5m:1m]`, `offset` and `@` as the pinned Prometheus's parser reads them
 * (promql/parser/generated_parser.y and parse.go of v3.5.3: matrix_selector, addOffset,
 * setTimestamp), which neither the Lezer grammar nor the UI's type checker does:
 * - they bind tighter than every operator: `1 + up[5m:]` is `1 + (up[5m:])` to Prometheus, a range
 *   vector operand of `+`, which it refuses; the grammar reads it as `(1 + up)[5m:]`, which the UI's
 *   checker then takes for a valid subquery. The same for `-up[5m]`, `up ^ 2 offset 1m` (an offset on
 *   the number 2);
 * - a range follows only a series selector without offset or `@ <time>` (`(up)[5m]`, `sum(up)[5m]`,
 *   `up offset 1m [5m]`, `up @ 100 [5m]` are refused; as in Prometheus, `up @ start() [5m]` is accepted);
 * - `offset` and `@` follow only a selector, a range or a subquery, each at most once (`sum(up) offset
 *   1m`, `up offset 1m offset 1m`, `up @ 1 @ 2` are refused). As in Prometheus, an offset of 0 counts as
 *   none: `up offset 0s offset 1m` is accepted.
 * test/support/expression-cases.ts holds the verdicts, checked against the pinned promtool.
 */

/** The nodes of the grammar that put a range, a subquery, an offset or an @ after an expression (their operand). */
const POSTFIX = new Set(['MatrixSelector', 'SubqueryExpr', 'OffsetExpr', 'StepInvariantExpr']);
const OPERATOR = new Set(['UnaryExpr', 'BinaryExpr']);

/** The expression a postfix node applies to in the grammar's tree. */
const operand = (n: SyntaxNode): SyntaxNode | null => n.getChild('Expr');
/** The last operand of an operator: the one a postfix written after the operator applies to in Prometheus. */
const lastOperand = (n: SyntaxNode): SyntaxNode | null => n.getChildren('Expr').pop() ?? null;

/** Where the postfix `op` starts in the text (its `[`, `offset` or `@`). */
function postfixStart(op: SyntaxNode, expr: string): number {
  const keyword = op.getChild('Offset') ?? op.getChild('At');
  if (keyword) return keyword.from;
  const duration = op.getChild('DurationExpr');
  // Without a duration the tree is incomplete (a syntax error, which is reported first).
  return duration ? expr.lastIndexOf('[', duration.from) : op.from;
}

/** Whether the offset of `op` is one Prometheus records (a plain duration other than 0; a duration expression counts as one). */
function setsOffset(op: SyntaxNode, expr: string): boolean {
  const duration = op.getChild('OffsetDurationExpr');
  if (!duration) return true;
  const read = literalValue(expr.slice(duration.from, duration.to));
  return !('value' in read) || read.value !== 0;
}

/** What Prometheus refuses in the chain of ranges, subqueries, offsets and @ that starts at `head`. */
function chainProblem(head: SyntaxNode, expr: string): ParserProblem | undefined {
  const ops: SyntaxNode[] = [];
  let crossed: SyntaxNode | undefined;
  let base: SyntaxNode | null = head;
  for (; base; ) {
    if (POSTFIX.has(base.type.name)) {
      ops.push(base);
      base = operand(base);
    } else if (OPERATOR.has(base.type.name)) {
      crossed ??= base;
      base = lastOperand(base);
    } else break;
  }
  if (!base) return undefined; // an incomplete expression: the grammar's error nodes report it
  const baseFrom = base.from;
  const subject = (op: SyntaxNode): string => expr.slice(baseFrom, postfixStart(op, expr)).trim();
  const tighter = crossed ? ' (in PromQL it binds tighter than operators)' : '';
  let kind: 'selector' | 'range' | 'subquery' | 'other' = base.type.name === 'VectorSelector' ? 'selector' : 'other';
  let offset = false;
  let at = false; // any @
  let atTime = false; // @ with a time, not start() or end()
  const problem = (op: SyntaxNode, message: string): ParserProblem => {
    const where = postfixStart(op, expr);
    return { offset: where, message: `at offset ${where}: ${message}` };
  };
  for (const op of ops.reverse()) {
    const modifier = expr.slice(postfixStart(op, expr), op.to);
    if (op.type.name === 'MatrixSelector') {
      if (kind !== 'selector') {
        return problem(op, `the range ${modifier} follows ${subject(op)}${tighter}, but a range only follows a series selector such as up{job="x"} — for the range of an expression, write a subquery such as (…)[5m:1m]`);
      }
      if (offset || atTime) {
        const which = offset ? 'offset' : '@';
        return problem(op, `the range ${modifier} follows ${subject(op)}, but ${which} must come after the range, as in up[5m] ${which} ${offset ? '1h' : '1700000000'}`);
      }
      kind = 'range';
    } else if (op.type.name === 'SubqueryExpr') {
      [kind, offset, at, atTime] = ['subquery', false, false, false];
    } else {
      const which = op.type.name === 'OffsetExpr' ? 'offset' : '@';
      if (kind === 'other') {
        return problem(op, `${which} follows ${subject(op)}${tighter}, but it only follows a series selector, a range such as up[5m] or a subquery — put it on the selector, as in sum(up ${which} ${which === 'offset' ? '1h' : '1700000000'})`);
      }
      if (which === 'offset' ? offset : at) return problem(op, `${subject(op)} has a second ${which}: PromQL takes one per selector or subquery`);
      if (which === 'offset') offset = setsOffset(op, expr);
      else [at, atTime] = [true, op.getChild('NumberDurationLiteral') !== null];
    }
  }
  if (crossed && (kind === 'range' || kind === 'subquery')) {
    const token = (crossed.type.name === 'UnaryExpr' ? crossed.firstChild : crossed.getChildren('Expr')[0]?.nextSibling) ?? crossed;
    const range = expr.slice(baseFrom, head.to).trim();
    return {
      offset: token.from,
      message: `at offset ${token.from}: ${range} is a range vector, as ranges and subqueries bind tighter than operators in PromQL, and "${expr.slice(token.from, token.to)}" takes only scalars and instant vectors — apply a function such as rate() to the range, or put the whole operation in parentheses before a subquery, as in (a + b)[5m:1m]`,
    };
  }
  return undefined;
}

/**
 * What Prometheus refuses in the chain of ranges, subqueries, offsets and @ that `node` heads, when it
 * is one of them. Called on every postfix of a chain: findPromqlSyntaxError walks the tree outermost
 * first and keeps the first problem. A postfix inside a chain heads its lower part (the grammar puts
 * postfixes above operators: `1 + up[5m] offset 1m` is OffsetExpr(MatrixSelector(BinaryExpr(1, up)))),
 * checked from the same base and state in the same order, so it finds a problem only where the whole
 * chain, entered first, has one.
 */
export function modifierProblem(node: SyntaxNode, expr: string): ParserProblem | undefined {
  return POSTFIX.has(node.type.name) ? chainProblem(node, expr) : undefined;
}

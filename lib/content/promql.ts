import type { Tree } from '@lezer/common';
import type { LRParser } from '@lezer/lr';

import { memoize } from '../config/memo';
import { emptySelectorProblem, matcherOperator, promqlParser, promqlStringProblem } from '../config/promql-syntax';
import { unavailableFunctionProblem, unavailableSyntaxProblem } from './promql-functions';
import { literalProblem, spaceProblem } from './promql-literals';
import { modifierProblem } from './promql-modifiers';

/**
 * The type checker of the Prometheus UI (`@prometheus-io/codemirror-promql`'s `Parser`, a port of
 * Prometheus's `checkAST`): argument counts and types of functions and aggregations, `bool` only on
 * comparisons, no range vector in a binary expression, at least one non-empty matcher per selector.
 * Loaded on first use, like the grammar.
 *
 * It is written for an editor: it reads the tree through `syntaxTree(state)` and the text through
 * `state.sliceDoc`. A real editor state holds only what its first slice of parsing reached (20 ms,
 * 3,000 characters), so a cold process got partial trees and false errors; it is handed instead the
 * whole tree the other checks use (same grammar module, so the node ids it compares agree), and
 * the way `syntaxTree` reads it is checked on every call rather than assumed.
 */
type TypeChecker = (expr: string, tree: Tree) => PromqlSyntaxError | undefined;
let checker: TypeChecker | undefined;
function loadTypeChecker(): TypeChecker {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { syntaxTree } = require('@codemirror/language') as typeof import('@codemirror/language');
  const { Parser } = require('@prometheus-io/codemirror-promql/dist/cjs/parser') as typeof import('@prometheus-io/codemirror-promql/dist/cjs/parser');
  /* eslint-enable @typescript-eslint/no-require-imports */
  type EditorState = ConstructorParameters<typeof Parser>[0];
  return (expr, tree) => {
    const state = { field: () => ({ tree }), sliceDoc: (from = 0, to = expr.length) => expr.slice(from, to) } as unknown as EditorState;
    if (syntaxTree(state) !== tree) throw new Error('PromQL type check: @codemirror/language no longer reads the tree through state.field; update lib/content/promql.ts');
    const parser = new Parser(state);
    parser.analyze();
    // The checker refuses two metric names inside braces ({"a", "b"}, {__name__="a", "b"}); the pinned
    // Prometheus's checkAST only refuses a name inside the braces besides one before them (up{"a"}).
    const nameTwiceInBraces = (d: { from: number; message: string }): boolean => d.message.startsWith('metric name must not be set twice') && expr[d.from] === '{';
    const first = parser.getDiagnostics().find((d) => d.severity === 'error' && !nameTwiceInBraces(d));
    return first && { offset: first.from, message: `at offset ${first.from}: ${first.message}` };
  };
}

/**
 * Grafana template macros and variables that are not PromQL. They are replaced by a value of the
 * same type before parsing: durations by a duration, everything else by a plain label value.
 */
const GRAFANA_DURATION_MACROS = /\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g;
const GRAFANA_NUMERIC_MACROS = /\$(__interval_ms|__range_ms|__range_s)\b|\$\{(__interval_ms|__range_ms|__range_s)\}/g;
const GRAFANA_VARIABLES = /\$\{[A-Za-z0-9_]+(?::[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * Parses a PromQL expression, once: the same rules and panels are parsed by the syntax check, the
 * job check and the lean keep-lists, for every environment. Lezer trees are immutable, so sharing
 * one per expression is safe.
 */
const parsed = new Map<string, ReturnType<LRParser['parse']>>();
export function parsePromql(expr: string): ReturnType<LRParser['parse']> {
  let tree = parsed.get(expr);
  if (!tree) {
    tree = promqlParser().parse(expr);
    parsed.set(expr, tree);
  }
  return tree;
}

/** Replaces Grafana macros and template variables so that the expression can be parsed as PromQL. */
export function substituteGrafanaMacros(expr: string, variableValue = '.+'): string {
  return expr
    .replace(GRAFANA_DURATION_MACROS, '5m')
    .replace(GRAFANA_NUMERIC_MACROS, '300000')
    .replace(GRAFANA_VARIABLES, variableValue);
}

/** A PromQL syntax error with the character offset where parsing failed. */
export interface PromqlSyntaxError {
  readonly offset: number;
  readonly message: string;
}

/**
 * Parses a PromQL expression with Prometheus's own Lezer grammar (the one the Prometheus UI uses),
 * reads its strings as Prometheus's lexer does (the grammar takes any escape, and any regex), refuses
 * functions and syntax the pinned Prometheus does not have (promql-functions.ts), then what the pinned
 * Prometheus's parser refuses beyond the grammar (promql-modifiers.ts, promql-literals.ts), and checks
 * its types as the Prometheus UI does. The cheaper layers first: a problem of the grammar, a string or a
 * function is reported before one of the parser's checks, and those before a type.
 * Returns undefined when the expression parses, otherwise the first error.
 */
export function findPromqlSyntaxError(expr: string): PromqlSyntaxError | undefined {
  return memoize('promql-syntax-error', expr, () => syntaxError(expr) ?? null) ?? undefined;
}

function syntaxError(expr: string): PromqlSyntaxError | undefined {
  if (expr.trim() === '') return { offset: 0, message: 'empty expression' };
  const tree = parsePromql(expr);
  let error: PromqlSyntaxError | undefined;
  let parserError: PromqlSyntaxError | undefined;
  tree.iterate({
    enter: (node) => {
      if (error) return false;
      if (node.type.isError) {
        const near = expr.slice(Math.max(0, node.from - 10), node.to + 10);
        error = { offset: node.from, message: `syntax error at offset ${node.from} near "${near}"` };
        return false;
      }
      const text = expr.slice(node.from, node.to);
      if (node.type.name === 'StringLiteral') {
        const problem = promqlStringProblem(text, matcherOperator(node.node));
        if (problem) error = { offset: node.from, message: `the string at offset ${node.from} ${problem}` };
      } else if (node.type.name === 'VectorSelector') {
        const problem = emptySelectorProblem(node.node, expr);
        if (problem) error = { offset: node.from, message: `the selector at offset ${node.from} ${problem}` };
      } else if (node.type.name === 'FunctionIdentifier' || node.type.name === 'AggregateOp') {
        // Aggregation keywords are case-insensitive in Prometheus; function names are not.
        const problem = unavailableFunctionProblem(node.type.name === 'AggregateOp' ? text.toLowerCase() : text);
        if (problem) error = { offset: node.from, message: `at offset ${node.from}: ${problem}` };
      } else {
        const problem = unavailableSyntaxProblem(node.type.name);
        if (problem) error = { offset: node.from, message: `at offset ${node.from}: ${problem}` };
      }
      // What Prometheus's parser refuses beyond the grammar, strings and functions: only when they pass.
      parserError ??= modifierProblem(node.node, expr) ?? literalProblem(node.node, expr);
      return undefined;
    },
  });
  return error ?? parserError ?? spaceProblem(tree, expr) ?? (checker ??= loadTypeChecker())(expr, tree);
}

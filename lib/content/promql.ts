import type { LRParser } from '@lezer/lr';

import { memoize } from '../config/memo';
import { emptySelectorProblem, matcherOperator, promqlStringProblem } from '../config/promql-syntax';

/**
 * The PromQL grammar, loaded on the first parse: a synth whose queries are all in the stored results
 * (lib/config/memo.ts) never needs it. The package declares `"type": "module"` for its typings but
 * ships a CommonJS build under `require`; this project is CommonJS, so load that build and type it
 * with the parser class it exports.
 */
let grammar: LRParser | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promqlParser = (): LRParser => (grammar ??= (require('@prometheus-io/lezer-promql') as { parser: LRParser }).parser);

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
 * Parses a PromQL expression with Prometheus's own Lezer grammar (the one the Prometheus UI uses) and
 * reads its strings as Prometheus's lexer does (the grammar takes any escape, and any regex).
 * Returns undefined when the expression parses, otherwise the first error.
 */
export function findPromqlSyntaxError(expr: string): PromqlSyntaxError | undefined {
  return memoize('promql-syntax-error', expr, () => syntaxError(expr) ?? null) ?? undefined;
}

function syntaxError(expr: string): PromqlSyntaxError | undefined {
  if (expr.trim() === '') return { offset: 0, message: 'empty expression' };
  const tree = parsePromql(expr);
  let error: PromqlSyntaxError | undefined;
  tree.iterate({
    enter: (node) => {
      if (error) return false;
      if (node.type.isError) {
        const near = expr.slice(Math.max(0, node.from - 10), node.to + 10);
        error = { offset: node.from, message: `syntax error at offset ${node.from} near "${near}"` };
        return false;
      }
      if (node.type.name === 'StringLiteral') {
        const problem = promqlStringProblem(expr.slice(node.from, node.to), matcherOperator(node.node));
        if (problem) error = { offset: node.from, message: `the string at offset ${node.from} ${problem}` };
      } else if (node.type.name === 'VectorSelector') {
        const problem = emptySelectorProblem(node.node, expr);
        if (problem) error = { offset: node.from, message: `the selector at offset ${node.from} ${problem}` };
      }
      return undefined;
    },
  });
  return error;
}

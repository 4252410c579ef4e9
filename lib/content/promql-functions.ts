/**
 * Functions and aggregations that the PromQL grammar (`@prometheus-io/lezer-promql`, newer than the
 * pinned server) parses but the pinned Prometheus refuses: the experimental ones, which need
 * `--enable-feature=promql-experimental-functions` (this stack does not set it: an experimental
 * function may change or go away in any release), the ones added after the pinned release, and
 * `start()`/`end()` outside an `@` modifier.
 * test/expression-promtool.test.ts calls every function and aggregation the grammar knows through the
 * pinned promtool and checks that exactly these are refused.
 */
const UNAVAILABLE: ReadonlyMap<string, 'experimental' | 'newer' | 'at-only'> = new Map([
  ['double_exponential_smoothing', 'experimental'],
  ['info', 'experimental'],
  ['limit_ratio', 'experimental'],
  ['limitk', 'experimental'],
  ['mad_over_time', 'experimental'],
  ['sort_by_label', 'experimental'],
  ['sort_by_label_desc', 'experimental'],
  ['ts_of_last_over_time', 'experimental'],
  ['ts_of_max_over_time', 'experimental'],
  ['ts_of_min_over_time', 'experimental'],
  ['first_over_time', 'newer'],
  ['histogram_quantiles', 'newer'],
  ['range', 'newer'],
  ['start_timestamp', 'newer'],
  ['step', 'newer'],
  ['ts_of_first_over_time', 'newer'],
  // The grammar reads them as functions anywhere; Prometheus only after `@` (its parser has no such functions).
  ['end', 'at-only'],
  ['start', 'at-only'],
] as const);

/** Why the pinned Prometheus refuses the function or aggregation `name`, or undefined when it has it. */
export function unavailableFunctionProblem(name: string): string | undefined {
  const why = UNAVAILABLE.get(name);
  if (why === 'experimental') {
    return `${name}() is experimental in the pinned Prometheus and needs --enable-feature=promql-experimental-functions, which this stack does not set — write the query without it`;
  }
  if (why === 'newer') return `the pinned Prometheus has no function ${name}() (a later release added it) — write the query without it`;
  if (why === 'at-only') return `${name}() is only allowed after @, as in up @ ${name}()`;
  return undefined;
}

/**
 * Syntax of the grammar (by node name) that the pinned Prometheus does not have: later releases added
 * it. test/support/expression-cases.ts checks each against the pinned promtool.
 */
const NEWER_SYNTAX: ReadonlyMap<string, string> = new Map([
  ['TrimUpper', 'operator </'],
  ['TrimLower', 'operator >/'],
  ['FillModifier', 'fill(), fill_left() or fill_right() on binary operators'],
  ['Anchored', 'modifier anchored'],
  ['Smoothed', 'modifier smoothed'],
  ['DurationStep', 'step() in durations'],
  ['DurationRange', 'range() in durations'],
  ['DurationMinOf', 'min_of() in durations'],
  ['DurationMaxOf', 'max_of() in durations'],
]);

/** Why the pinned Prometheus refuses the syntax of grammar node `name`, or undefined when it has it. */
export function unavailableSyntaxProblem(name: string): string | undefined {
  const what = NEWER_SYNTAX.get(name);
  return what && `the pinned Prometheus has no ${what} (a later release added it) — write the query without it`;
}

/**
 * PromQL expressions (rules, dashboard panels) and what lib/content/promql.ts findPromqlSyntaxError
 * says of each beyond the grammar (undefined: accepted): escapes in any string, RE2 in `=~`/`!~`
 * values, selectors that match everything, types and argument counts, functions the pinned
 * Prometheus does not have. test/syntax-tables.test.ts checks findPromqlSyntaxError
 * against this table; test/expression-promtool.test.ts checks the table against the pinned promtool,
 * which reads each as the expression of a recording rule.
 */
export const EXPRESSION_CASES: readonly (readonly [expression: string, problem: string | undefined])[] = [
  ["rate(http_requests_total{status=~\"5..\"}[5m])", undefined],
  ["sum(rate(x{job=~\"a++\"}[5m]))", "the string at offset 16 has the regex \"a++\" that has the repetition \"++\", which RE2 (Prometheus) refuses (bad repetition operator)"],
  ["x{job=\"\\d\"}", "the string at offset 6 has the escape \"\\d\" in \"\\d\", which PromQL does not know"],
  ["label_replace(up, \"a\", \"$1\", \"job\", \"(.*)\")", undefined],
  ["label_replace(up, \"a\", \"\\d\", \"job\", \"(.*)\")", "the string at offset 23 has the escape \"\\d\" in \"\\d\", which PromQL does not know"],
  ["up{job=~\"(?=x)\"}", "the string at offset 8 has the regex \"(?=x)\" that has the lookaround \"(?=\", which RE2 (Prometheus) does not support"],
  ["up{job!~\"[a\"}", "the string at offset 8 has the regex \"[a\" that has a \"[\" without its closing \"]\""],
  ["count_values(\"x\\'\", up)", "the string at offset 13 has the escape \"\\'\" in \"x\\'\", which PromQL does not know"],
  ["up{job='a\\\"b'}", "the string at offset 7 has the escape \"\\\"\" in 'a\\\"b', which PromQL does not know"],
  ["up{job='a\\'b'} + up{job=\"a\\\"b\"}", undefined],
  ["up{job=~\"\\\\d\"}", undefined],
  ["up{job=\"\\\\d\"}", undefined],
  ["up{job=~`\\d+`}", undefined],
  ["up{job=`a++`}", undefined],
  ["up{job=\"a++\"}", undefined],
  ["up{job=~\"\\xc3\\xa9\"} * on(job) group_left() up", undefined],
  ["up{job=~\"\\x2a\"}", "the string at offset 8 has the regex \"*\" that has the repetition \"*\" with nothing to repeat"],
  ["max_over_time(up{job=~\"a{1001}\"}[5m])", "the string at offset 22 has the regex \"a{1001}\" that has the repetition count \"{1001}\"; RE2 (Prometheus) allows at most 1000"],
  ["max_over_time(up{job=~\"a{1000}\"}[5m])", undefined],
  ["up{job=\"\"}", undefined],
  ["{job=\"\"}", "the selector at offset 0 has no matcher that refuses the empty value, such as a metric name or job=\"x\""],
  ["{job=\"\\d\"}", "the string at offset 5 has the escape \"\\d\" in \"\\d\", which PromQL does not know"],
  ["{job=~\".*\"} or up", "the selector at offset 0 has no matcher that refuses the empty value, such as a metric name or job=\"x\""],
  ["sum(rate({job=~\".+\"}[5m]))", undefined],
  ["{\"up\"}", undefined],
  ["{\"up\\x\"}", "the string at offset 1 has the escape \"\\x\" in \"up\\x\", which PromQL does not know"],
  ["sum by (\"a\\q\") (up)", "the string at offset 8 has the escape \"\\q\" in \"a\\q\", which PromQL does not know"],
  ["\"a\\q\"", "the string at offset 0 has the escape \"\\q\" in \"a\\q\", which PromQL does not know"],
  ["up{job=\"\\400\"}", "the string at offset 7 has the escape \"\\400\" in \"\\400\", which is not a character"],
  ["up{job=\"\\377\"}", undefined],
  ["quantile_over_time(0.5, up{job=~\"(?i)API\"}[5m])", undefined],
  ["histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"api\"}[5m]))) > 1", undefined],
  ["rate(up)", "at offset 5: expected type matrix in call to function \"rate\", got vector"],
  ["rate(up[5m])", undefined],
  ["up + bool up", "at offset 0: bool modifier can only be used on comparison operators"],
  ["up > bool 1", undefined],
  ["up and bool up", "at offset 0: bool modifier can only be used on comparison operators"],
  ["topk(\"a\", up)", "at offset 5: expected type scalar in aggregation parameter, got string"],
  ["topk(3, up)", undefined],
  ["up[5m] + 1", "at offset 0: binary expression must contain only scalar and instant vector types"],
  ["absent(up[5m])", "at offset 7: expected type vector in call to function \"absent\", got matrix"],
  ["absent_over_time(up[5m])", undefined],
  ["label_replace(up, \"a\", \"b\", \"c\")", "at offset 0: expected 5 argument(s) in call to \"label_replace\", got 4"],
  ["histogram_quantile(0.9, up, 1)", "at offset 0: expected 2 argument(s) in call to \"histogram_quantile\", got 3"],
  ["count_values(1, up)", "at offset 13: expected type string in aggregation parameter, got scalar"],
  ["count_values(\"v\", up)", undefined],
  ["round(up, \"x\")", "at offset 10: expected type scalar in call to function \"round\", got string"],
  ["\"x\" + 1", "at offset 0: binary expression must contain only scalar and instant vector types"],
  ["clamp_max(up)", "at offset 0: expected 2 argument(s) in call to \"clamp_max\", got 1"],
  ["sum by (job) (up) * on(instance) group_left up", undefined],
  ["rate(up[5m:1m])", undefined],
  ["sum(up) by (job)", undefined],
  ["vector(1) > bool 0", undefined],
  ["predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0", undefined],
  ["info(up)", "at offset 0: info() is experimental in the pinned Prometheus and needs --enable-feature=promql-experimental-functions, which this stack does not set — write the query without it"],
  ["sort_by_label(up, \"job\")", "at offset 0: sort_by_label() is experimental in the pinned Prometheus and needs --enable-feature=promql-experimental-functions, which this stack does not set — write the query without it"],
  ["LIMITK(1, up)", "at offset 0: limitk() is experimental in the pinned Prometheus and needs --enable-feature=promql-experimental-functions, which this stack does not set — write the query without it"],
  ["first_over_time(up[5m])", "at offset 0: the pinned Prometheus has no function first_over_time() (a later release added it) — write the query without it"],
  ["end()", "at offset 0: end() is only allowed after @, as in up @ end()"],
  ["up @ end()", undefined],
  ["timestamp(up @ start())", undefined],
  // Longer than what an editor parses in its first slice (3,000 characters): the whole tree is checked.
  [`up{job="${'a'.repeat(3000)}"} + rate(up)`, 'at offset 3018: expected type matrix in call to function "rate", got vector'],
  [`up{job="${'a'.repeat(3000)}"} + rate(up[5m])`, undefined],
];

/**
 * One well-typed call of every function the grammar knows (the type table of
 * `@prometheus-io/codemirror-promql`, keyed by the grammar's node ids) and of every aggregation, so
 * that the pinned promtool can say which of them the pinned Prometheus has.
 */
export function everyFunctionCall(): { name: string; expression: string }[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const terms = require('@prometheus-io/lezer-promql') as Record<string, unknown>;
  const { getFunction } = require('@prometheus-io/codemirror-promql/dist/cjs/types/function') as typeof import('@prometheus-io/codemirror-promql/dist/cjs/types/function');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const argument: Record<string, string> = { vector: 'up', matrix: 'up[5m]', scalar: '1', string: '"a"' };
  const calls = new Map<string, string>();
  for (const id of Object.values(terms)) {
    const f = typeof id === 'number' ? getFunction(id) : undefined;
    if (f?.name) calls.set(f.name, `${f.name}(${f.argTypes.map((t) => argument[t]).join(', ')})`);
  }
  for (const a of ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar']) calls.set(a, `${a}(up)`);
  for (const a of ['topk', 'bottomk', 'limitk', 'limit_ratio', 'quantile']) calls.set(a, `${a}(1, up)`);
  calls.set('count_values', 'count_values("a", up)');
  return [...calls].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, expression]) => ({ name, expression }));
}

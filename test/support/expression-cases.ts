/**
 * PromQL expressions (rules, dashboard panels) and what lib/content/promql.ts findPromqlSyntaxError
 * says of each beyond the grammar (undefined: accepted): escapes in any string, RE2 in `=~`/`!~`
 * values, selectors that match everything. test/syntax-tables.test.ts checks findPromqlSyntaxError
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
];

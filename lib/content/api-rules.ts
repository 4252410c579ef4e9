import { toYaml } from '../output/yaml-output';
import type { ApiInstrumentation } from '../config/types';

/**
 * The recording group for the Nanoe API's HTTP instrumentation. It is generated (not a static file
 * under rules/) because the metric and label names depend on the API's client library:
 * Go's promhttp exports `http_requests_total{code}` + `http_request_duration_seconds`, while
 * express-prom-bundle exports only the histogram, with the label `status_code`.
 *
 * Every API alert and dashboard reads the records below, never the raw metrics, so a change of
 * instrumentation is one config change. The histogram must have a bucket boundary at 1 s, or the
 * interpolated p95 cannot cross the 1 s alert threshold correctly (see rules/tests/api.test.yaml).
 */

/** Name of the recording group. */
export const API_RULES_GROUP_NAME = 'nanoe-api-instrumentation';

/** File name the generated group is written under (ConfigMap key, and the name test files use). */
export const API_RULES_FILE_NAME = 'nanoe-api-instrumentation.rules.yaml';

/** Job label of the API's scrape job. */
export const DEFAULT_API_JOB = 'nanoe-api';

/** Go promhttp naming (the defaults in config/environments.yaml). */
export const DEFAULT_API_INSTRUMENTATION: ApiInstrumentation = {
  requestsTotalMetric: 'http_requests_total',
  durationHistogramMetric: 'http_request_duration_seconds',
  statusCodeLabel: 'code',
};

/** The names of the records, in evaluation order. Alerts and dashboards use these. */
export const API_RECORDS = {
  requestsRate: 'job:nanoe_api_requests:rate5m',
  errorsRate: 'job:nanoe_api_requests_5xx:rate5m',
  errorRatio: 'job:nanoe_api_request_errors:ratio_rate5m',
  durationBucketRate: 'job:nanoe_api_request_duration_seconds_bucket:rate5m',
  durationP50: 'job:nanoe_api_request_duration_seconds:p50_rate5m',
  durationP95: 'job:nanoe_api_request_duration_seconds:p95_rate5m',
  durationP99: 'job:nanoe_api_request_duration_seconds:p99_rate5m',
} as const;

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface ApiRecordingGroup {
  readonly name: string;
  readonly rules: RecordingRule[];
}

// Prometheus data model: https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(instr: ApiInstrumentation, job: string): void {
  const problems: string[] = [];
  if (!METRIC_NAME.test(instr.requestsTotalMetric)) {
    problems.push(`requestsTotalMetric "${instr.requestsTotalMetric}" is not a Prometheus metric name`);
  }
  if (!METRIC_NAME.test(instr.durationHistogramMetric)) {
    problems.push(`durationHistogramMetric "${instr.durationHistogramMetric}" is not a Prometheus metric name`);
  } else if (/_bucket$/.test(instr.durationHistogramMetric)) {
    problems.push(`durationHistogramMetric "${instr.durationHistogramMetric}" must be the histogram's base name, without "_bucket"`);
  }
  if (!LABEL_NAME.test(instr.statusCodeLabel) || instr.statusCodeLabel.startsWith('__')) {
    problems.push(`statusCodeLabel "${instr.statusCodeLabel}" is not a Prometheus label name`);
  }
  if (job.trim() === '') problems.push('the API job name is empty');
  if (problems.length > 0) {
    throw new Error(`API instrumentation: ${problems.join('; ')}`);
  }
}

/** A PromQL double-quoted string literal. */
function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The `nanoe-api-instrumentation` recording group. Rules of one group are evaluated in order at
 * the same timestamp, so the later records can read the earlier ones.
 */
export function apiRecordingRules(
  instr: ApiInstrumentation,
  job: string = DEFAULT_API_JOB,
): { groups: [ApiRecordingGroup] } {
  checkNames(instr, job);
  const jobMatcher = `job=${promqlString(job)}`;
  const requests = `${instr.requestsTotalMetric}{${jobMatcher}}`;
  const requests5xx = `${instr.requestsTotalMetric}{${jobMatcher},${instr.statusCodeLabel}=~"5.."}`;
  const buckets = `${instr.durationHistogramMetric}_bucket{${jobMatcher}}`;
  const by = 'sum by (job, namespace)';
  const quantile = (q: string): string => `histogram_quantile(${q}, ${API_RECORDS.durationBucketRate})`;
  return {
    groups: [
      {
        name: API_RULES_GROUP_NAME,
        rules: [
          { record: API_RECORDS.requestsRate, expr: `${by} (rate(${requests}[5m]))` },
          {
            // `or … * 0` keeps the record at 0 (instead of absent) while there is traffic but no 5xx,
            // so the error ratio is 0 and dashboards show a line rather than "No data".
            record: API_RECORDS.errorsRate,
            expr: `${by} (rate(${requests5xx}[5m])) or (${by} (rate(${requests}[5m])) * 0)`,
          },
          {
            // `> 0`: an idle API has no error ratio (no data), not a fake 0 % (clamp_min) nor NaN (0/0).
            record: API_RECORDS.errorRatio,
            expr: `${API_RECORDS.errorsRate} / (${API_RECORDS.requestsRate} > 0)`,
          },
          {
            record: API_RECORDS.durationBucketRate,
            expr: `sum by (job, namespace, le) (rate(${buckets}[5m]))`,
          },
          { record: API_RECORDS.durationP50, expr: quantile('0.5') },
          { record: API_RECORDS.durationP95, expr: quantile('0.95') },
          { record: API_RECORDS.durationP99, expr: quantile('0.99') },
        ],
      },
    ],
  };
}

/** The group as a Prometheus rule file. Deterministic: same input, same bytes. */
export function renderApiRulesYaml(instr: ApiInstrumentation, job: string = DEFAULT_API_JOB): string {
  const header =
    '# Generated by lib/content/api-rules.ts from the API instrumentation config. Do not edit.\n' +
    `# metrics: ${instr.requestsTotalMetric}, ${instr.durationHistogramMetric}; status label: ${instr.statusCodeLabel}; job: ${JSON.stringify(job)}\n`;
  return header + toYaml(apiRecordingRules(instr, job));
}

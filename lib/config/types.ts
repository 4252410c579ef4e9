/**
 * The typed configuration of one monitoring environment. `config/environments.yaml` holds the
 * defaults and one entry per environment; `loadConfig()` merges, validates and returns these types.
 */

/** How the Nanoe API is instrumented. Client libraries differ, so every name is configurable. */
export interface ApiInstrumentation {
  /** Counter of finished HTTP requests. @default 'http_requests_total' */
  readonly requestsTotalMetric: string;
  /** Histogram (base name, without `_bucket`) of request durations in seconds; must have a bucket at 1. @default 'http_request_duration_seconds' */
  readonly durationHistogramMetric: string;
  /** Label that carries the HTTP status code on both metrics (`code` for Go promhttp, `status_code` for express-prom-bundle). @default 'code' */
  readonly statusCodeLabel: string;
}

/** The Nanoe API as a scrape target. */
export interface ApiTarget {
  /** Namespace the API pods run in. @default the backend namespace */
  readonly namespace: string;
  /** Labels that select the API pods (must also be set on the pods). @default { 'app.kubernetes.io/name': 'nanoe-api' } */
  readonly podLabels: Record<string, string>;
  /** Name of the container port that serves metrics. @default 'http' */
  readonly portName: string;
  /** Port number of that container port. @default 8000 */
  readonly port: number;
  /** HTTP path of the metrics endpoint. @default '/metrics' */
  readonly metricsPath: string;
  /** Metric and label names. */
  readonly instrumentation: ApiInstrumentation;
}

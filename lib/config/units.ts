import { ConfigError } from './errors';

/** Binary and decimal suffixes of Kubernetes quantities (k8s.io/apimachinery resource.Quantity). */
const QUANTITY_FACTORS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};
const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** Parses a Kubernetes storage/memory quantity such as `50Gi` or `512Mi` into bytes. */
export function parseQuantityBytes(field: string, value: unknown): number {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  if (!m) {
    throw new ConfigError(field, value, 'is not a Kubernetes quantity', 'write a number with an optional suffix such as "512Mi", "50Gi" or "1G"');
  }
  return Number(m[1]) * QUANTITY_FACTORS[m[2] ?? ''];
}

const CPU = /^(\d+(?:\.\d+)?|\d+m)$/;

/** Checks a Kubernetes CPU quantity such as `500m` or `2` and returns it in millicores. */
export function parseCpuMillis(field: string, value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !CPU.test(text)) {
    throw new ConfigError(field, value, 'is not a CPU quantity', 'write cores ("2", "0.5") or millicores ("500m")');
  }
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

/** Prometheus's size units for --storage.tsdb.retention.size are powers of 1024 (B, KB, MB, GB, TB, PB). */
const PROM_SIZE = /^(\d+)(B|KB|MB|GB|TB|PB)$/;
const PROM_SIZE_FACTORS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50 };

/** Parses a Prometheus size such as `45GB` (1024-based, as Prometheus reads it) into bytes. */
export function parsePrometheusSize(field: string, value: unknown): number {
  const m = typeof value === 'string' ? PROM_SIZE.exec(value) : null;
  if (!m) {
    throw new ConfigError(field, value, 'is not a Prometheus size', 'write a whole number with one of B, KB, MB, GB, TB, PB (Prometheus reads them as powers of 1024), e.g. "45GB"');
  }
  return Number(m[1]) * PROM_SIZE_FACTORS[m[2]];
}

/** Prometheus durations: one or more `<number><unit>` parts, units ms s m h d w y, e.g. `15d`, `1h30m`. */
const PROM_DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w|y)/g;
const DURATION_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Parses a Prometheus duration into seconds; zero is refused because every use here needs a positive span. */
export function parseDurationSeconds(field: string, value: unknown): number {
  if (typeof value !== 'string' || !PROM_DURATION.test(value)) {
    throw new ConfigError(field, value, 'is not a Prometheus duration', 'write e.g. "30s", "5m", "15d" or "1h30m"');
  }
  let seconds = 0;
  for (const m of value.matchAll(DURATION_PART)) seconds += Number(m[1]) * DURATION_SECONDS[m[2]];
  if (seconds <= 0) throw new ConfigError(field, value, 'is zero', 'use a positive duration');
  return seconds;
}

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
  const bytes = Number(m[1]) * PROM_SIZE_FACTORS[m[2]];
  if (bytes === 0) throw new ConfigError(field, value, 'is zero, which Prometheus reads as "no size limit"', 'write a positive size such as "45GB"');
  return bytes;
}

/** A volume size: a Kubernetes quantity above zero (a zero-size claim is never bound). */
export function parseStorageBytes(field: string, value: unknown): number {
  const bytes = parseQuantityBytes(field, value);
  if (!(bytes >= 2 ** 20)) throw new ConfigError(field, value, 'is below 1Mi, too small for a volume', 'write a size such as "10Gi"');
  return bytes;
}

/**
 * Prometheus durations (model.ParseDuration): units in decreasing order, each at most once, e.g. `15d`,
 * `1h30m`; `30s1m` or `30m1h` make Prometheus refuse to start.
 */
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS = [31536000, 604800, 86400, 3600, 60, 1, 0.001];

/** Parses a Prometheus duration into seconds; zero is refused because every use here needs a positive span. */
export function parseDurationSeconds(field: string, value: unknown): number {
  const m = typeof value === 'string' && value !== '' ? PROM_DURATION.exec(value) : null;
  if (!m) {
    throw new ConfigError(field, value, 'is not a Prometheus duration',
      'write e.g. "30s", "5m", "15d" or "1h30m": a number and a unit (y w d h m s ms), units from largest to smallest, each once');
  }
  const seconds = DURATION_UNITS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
  if (seconds <= 0) throw new ConfigError(field, value, 'is zero', 'use a positive duration');
  return seconds;
}

/** Go durations (time.ParseDuration, as Flux and Kubernetes controllers read them): units h m s ms us ns only. */
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/;

/** Checks a Go duration such as `5m` or `1h30m` (no `d`: Go has no days). */
export function parseGoDurationSeconds(field: string, value: unknown): number {
  if (typeof value !== 'string' || !GO_DURATION.test(value)) {
    throw new ConfigError(field, value, 'is not a Go duration (Flux reads it with time.ParseDuration)', 'write e.g. "5m", "1h" or "24h" (units h, m, s; there is no "d")');
  }
  const factors: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  let seconds = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) seconds += Number(part[1]) * factors[part[2]];
  if (seconds <= 0) throw new ConfigError(field, value, 'is zero', 'use a positive duration such as "5m"');
  return seconds;
}

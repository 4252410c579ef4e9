import { ConfigError } from './errors';
import { parseCpuMillis, parseDurationSeconds, parsePrometheusSize, parseQuantityBytes } from './units';

/** Checks one value at a dotted field path and throws a ConfigError when it is wrong. */
export type Check = (field: string, value: unknown) => void;
/** A nested description of the config: objects of checks, down to leaf checks. */
export interface Shape { readonly [key: string]: Check | Shape }

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export const dnsName: Check = (field, value) => {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value)) {
    throw new ConfigError(field, value, 'is not a valid Kubernetes name', 'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
};

/** A reference to a Secret the operator creates: a name, never the secret value itself. */
export const secretName: Check = (field, value) => {
  if (value === undefined || value === null || value === '') {
    throw new ConfigError(field, value, 'is missing', 'name the Secret the operator creates before applying (see README, "Secrets to create")');
  }
  dnsName(field, value);
};

export const text: Check = (field, value) => {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(field, value, 'must be a non-empty string', 'set a value');
};

export const image: Check = (field, value) => {
  text(field, value);
  const v = value as string;
  const tag = v.includes('@sha256:') ? 'digest' : v.slice(v.lastIndexOf('/') + 1).split(':')[1];
  if (!tag || tag === 'latest') {
    throw new ConfigError(field, value, 'is not pinned to a version', 'add an explicit tag such as ":v2.53.2" or a "@sha256:" digest (never ":latest")');
  }
};

export const bool: Check = (field, value) => {
  if (typeof value !== 'boolean') throw new ConfigError(field, value, 'must be true or false', 'write true or false without quotes');
};

export function intBetween(min: number, max: number, fix: string): Check {
  return (field, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(field, value, `must be a whole number from ${min} to ${max}`, fix);
    }
  };
}

export const port = intBetween(1, 65535, 'use a TCP port number from 1 to 65535');
export const quantity: Check = (field, value) => void parseQuantityBytes(field, value);
export const cpu: Check = (field, value) => void parseCpuMillis(field, value);
export const duration: Check = (field, value) => void parseDurationSeconds(field, value);
export const prometheusSize: Check = (field, value) => void parsePrometheusSize(field, value);

export const metricName: Check = (field, value) => {
  if (typeof value !== 'string' || !METRIC_NAME.test(value)) {
    throw new ConfigError(field, value, 'is not a Prometheus metric name', 'use letters, digits, "_" and ":", not starting with a digit');
  }
};

export const labelName: Check = (field, value) => {
  if (typeof value !== 'string' || !LABEL_NAME.test(value) || value.startsWith('__')) {
    throw new ConfigError(field, value, 'is not a Prometheus label name', 'use letters, digits and "_", not starting with a digit or "__"');
  }
};

/** An absolute http(s) URL; plain http is refused when `requireTls`, since credentials would travel in clear text. */
export function url(requireTls: boolean): Check {
  return (field, value) => {
    let parsed: URL | undefined;
    try {
      parsed = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(field, value, 'is not an http(s) URL', 'write e.g. "https://mimir.example.com/api/v1/push"');
    if (requireTls && parsed.protocol !== 'https:') {
      throw new ConfigError(field, value, 'sends credentials over plain http', 'use an https:// URL');
    }
  };
}

export const urlPath: Check = (field, value) => {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new ConfigError(field, value, 'is not an HTTP path', 'start it with "/", e.g. "/metrics"');
};

export const cidr: Check = (field, value) => {
  const m = typeof value === 'string' ? CIDR.exec(value) : null;
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new ConfigError(field, value, 'is not an IPv4 CIDR', 'write it like "10.0.0.0/8"');
  }
};

export const labels: Check = (field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new ConfigError(field, value, 'must be a non-empty map of labels', 'write e.g. { app.kubernetes.io/name: nanoe-api }');
  }
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k)) throw new ConfigError(`${field}.${k}`, k, 'is not a valid label key', 'use a Kubernetes label key such as "app.kubernetes.io/name"');
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) {
      throw new ConfigError(`${field}.${k}`, v, 'is not a valid label value', 'use at most 63 letters, digits, "-", "_" and "."');
    }
  }
};

/** `null` (the feature is off) or a value of the given shape. */
export function nullable(check: Check | Shape): Check {
  return (field, value) => {
    if (value !== null) checkValue(field, value, check);
  };
}

export function listOf(item: Check | Shape, minItems = 1): Check {
  return (field, value) => {
    if (!Array.isArray(value) || value.length < minItems) {
      throw new ConfigError(field, value, `must be a list of at least ${minItems} item(s)`, 'write a YAML list');
    }
    value.forEach((v, i) => checkValue(`${field}[${i}]`, v, item));
  };
}

/** Words that mark a literal credential; config holds Secret names only. */
const CREDENTIAL_KEY = /(password|passwd|token|apikey|api_key|bearer)/i;

/** Checks `value` against `shape`: every field required, unknown fields refused (they are usually typos). */
export function checkValue(field: string, value: unknown, shape: Check | Shape): void {
  if (typeof shape === 'function') return shape(field, value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field, value, 'must be a map', `write a YAML map with the fields ${Object.keys(shape).join(', ')}`);
  }
  for (const key of Object.keys(value)) {
    if (key in shape) continue;
    if (CREDENTIAL_KEY.test(key)) {
      throw new ConfigError(`${field}.${key}`, '***', 'is a literal credential in config, which would end up in Git and in the output', 'create a Kubernetes Secret and reference it by name (see README, "Secrets to create")');
    }
    throw new ConfigError(`${field}.${key}`, (value as Record<string, unknown>)[key], 'is not a known field', `remove it or use one of: ${Object.keys(shape).join(', ')}`);
  }
  for (const [key, sub] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) throw new ConfigError(`${field}.${key}`, v, 'is missing', 'set it in defaults: or in this environment');
    checkValue(`${field}.${key}`, v, sub);
  }
}

import { ConfigError } from './errors';
import { seriesSelectorProblem } from './promql-syntax';
import { hostProblem, imageReferenceProblem, portNameProblem, re2Problem } from './syntax';
import { parseCpuMillis, parseDurationSeconds, parseGoDurationSeconds, parsePrometheusSize, parseQuantityBytes, parseStorageBytes } from './units';

/** Checks one value at a dotted field path and throws a ConfigError when it is wrong. */
export type Check = (field: string, value: unknown) => void;
/** A nested description of the config: objects of checks, down to leaf checks. */
export interface Shape { readonly [key: string]: Check | Shape }

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^(?:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

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
  const problem = imageReferenceProblem(v);
  if (problem) throw new ConfigError(field, value, `is not an image reference: it ${problem}`, 'write it like "quay.io/prometheus/prometheus:v3.5.3" (registry, lower-case path, tag)');
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

/** One of a fixed set of words. */
export function oneOf(values: readonly string[]): Check {
  return (field, value) => {
    if (typeof value !== 'string' || !values.includes(value)) throw new ConfigError(field, value, `must be one of ${values.join(', ')}`, `write ${values.map((v) => JSON.stringify(v)).join(' or ')}`);
  };
}

export const port = intBetween(1, 65535, 'use a TCP port number from 1 to 65535');
export const quantity: Check = (field, value) => void parseQuantityBytes(field, value);
export const cpu: Check = (field, value) => void parseCpuMillis(field, value);
export const duration: Check = (field, value) => void parseDurationSeconds(field, value);
export const goDuration: Check = (field, value) => void parseGoDurationSeconds(field, value);
export const storage: Check = (field, value) => void parseStorageBytes(field, value);

/** An Ingress host name. */
export const host: Check = (field, value) => {
  const problem = typeof value === 'string' ? hostProblem(value) : 'is not a string';
  if (problem) throw new ConfigError(field, value, problem, 'write only the DNS name, e.g. "grafana.example.com" (no https://, port or path)');
};

/** A container port name (IANA_SVC_NAME). */
export const portName: Check = (field, value) => {
  const problem = typeof value === 'string' ? portNameProblem(value) : 'is not a string';
  if (problem) throw new ConfigError(field, value, `is not a Kubernetes port name: it ${problem}`, 'use at most 15 lower-case letters, digits and "-", with at least one letter, e.g. "http"');
};

/** A regular expression Prometheus compiles (Go RE2; see re2Problem for what is and is not checked). */
export const regex: Check = (field, value) => {
  text(field, value);
  const problem = re2Problem(value as string);
  if (problem) throw new ConfigError(field, value, `is not a regular expression Prometheus accepts: it ${problem}`, 'write an RE2 regex such as "go_.*" (no lookarounds or backreferences)');
};

/** A PromQL series selector (`match[]`). */
export const seriesSelector: Check = (field, value) => {
  const problem = typeof value === 'string' ? seriesSelectorProblem(value) : 'is not a string';
  if (problem) throw new ConfigError(field, value, problem, 'write a series selector such as "up" or \'{__name__=~"job:.*"}\'');
};

/** A Secret that Prometheus mounts as the volume `secret-<name>`, so the name has 56 characters at most. */
export const mountedSecretName: Check = (field, value) => {
  secretName(field, value);
  if ((value as string).length > 56) {
    throw new ConfigError(field, value, `is mounted as the volume "secret-${value}", longer than the 63 characters Kubernetes allows`, 'use a Secret name of at most 56 characters');
  }
};
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

/** Query parameters that carry credentials (presigned S3 URLs, tokens in the query string). */
const CREDENTIAL_QUERY = /(password|passwd|pwd|token|secret|signature|credential|api[_-]?key|access[_-]?key|auth)/i;

/** A URL with any password, user name or credential query parameter replaced by ***, for messages. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@').replace(/([?&][^=&#]+=)[^&#]*/g, (m, k: string) => (CREDENTIAL_QUERY.test(k) ? `${k}***` : m));
}

/**
 * Refuses credentials inside a URL (`https://user:pass@host`, `?token=…`, `X-Amz-Signature=…`): they
 * would be written into dist/ in clear text. `allowUser` permits a user without password (ssh://git@…).
 */
export function checkNoUrlCredentials(field: string, value: string, allowUser = false): void {
  let parsed: URL | undefined;
  try { parsed = new URL(value); } catch { return; }
  const query = [...parsed.searchParams.keys()].find((k) => CREDENTIAL_QUERY.test(k));
  if (parsed.password || (parsed.username && !allowUser) || query) {
    throw new ConfigError(field, redactUrl(value), `holds a credential (${query ? `query parameter "${query}"` : 'user info before "@"'}), which would be written to dist/ and Git in clear text`,
      'remove it from the URL and give the credential as a Kubernetes Secret referenced by name (see README, "Secrets to create")');
  }
}

/** An absolute http(s) URL; plain http is refused when `requireTls`, since credentials would travel in clear text. */
export function url(requireTls: boolean): Check {
  return (field, value) => {
    let parsed: URL | undefined;
    try {
      parsed = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(field, typeof value === 'string' ? redactUrl(value) : value, 'is not an http(s) URL', 'write e.g. "https://mimir.example.com/api/v1/push"');
    checkNoUrlCredentials(field, value as string);
    if (requireTls && parsed.protocol !== 'https:') {
      throw new ConfigError(field, value, 'sends credentials over plain http', 'use an https:// URL');
    }
  };
}

/** A Git repository URL as Argo CD takes it: https://, ssh:// or git@host:path, without credentials. */
export const gitUrl: Check = (field, value) => {
  text(field, value);
  const v = value as string;
  if (/^git@[^:\s]+:\S+$/.test(v)) return;
  if (!/^(https?|ssh|git):\/\/[^\s]+$/.test(v)) {
    throw new ConfigError(field, redactUrl(v), 'is not a Git repository URL', 'write e.g. "https://git.example.com/nanoe/monitoring.git" or "git@git.example.com:nanoe/monitoring.git"');
  }
  checkNoUrlCredentials(field, v, v.startsWith('ssh://'));
};

/** A Git revision (branch, tag or commit): no spaces or control characters. */
export const gitRevision: Check = (field, value) => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._\/-]+$/.test(value) || value.includes('..') || value.startsWith('-')) {
    throw new ConfigError(field, value, 'is not a Git revision', 'write a branch, tag or commit such as "main" or "v1.2.0"');
  }
};

export const urlPath: Check = (field, value) => {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new ConfigError(field, value, 'is not an HTTP path', 'start it with "/", e.g. "/metrics"');
};

export const cidr: Check = (field, value) => {
  const m = typeof value === 'string' ? CIDR.exec(value) : null;
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new ConfigError(field, value, 'is not an IPv4 CIDR', 'write it like "10.0.0.0/8"');
  }
  const bits = Number(m[5]);
  const address = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const hostBits = bits === 0 ? address : address % 2 ** (32 - bits);
  if (hostBits !== 0 || m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0'))) {
    const base = address - hostBits;
    const canonical = `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${bits}`;
    throw new ConfigError(field, value, 'has host bits set (or leading zeros), which Kubernetes warns about or refuses', `write the network address "${canonical}"`);
  }
};

/** One IPv4 address (no prefix length), without leading zeros. */
export const ipv4: Check = (field, value) => {
  const m = typeof value === 'string' ? IPV4.exec(value) : null;
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) {
    throw new ConfigError(field, value, 'is not an IPv4 address', 'write one address like "169.254.20.10" (no "/32", no leading zeros), or null');
  }
};

export const labels: Check = (field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new ConfigError(field, value, 'must be a non-empty map of labels', 'write e.g. { app.kubernetes.io/name: nanoe-api }');
  }
  for (const [k, v] of Object.entries(value)) {
    const key = LABEL_KEY.exec(k);
    if (!key || (key[1] ?? '').length > 253 || key[3].length > 63) {
      throw new ConfigError(`${field}.${k}`, k, 'is not a valid label key', 'use a Kubernetes label key such as "app.kubernetes.io/name": an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" and "."');
    }
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
    if (Object.hasOwn(shape, key)) continue;
    if (CREDENTIAL_KEY.test(key)) {
      throw new ConfigError(`${field}.${key}`, '***', 'is a literal credential in config, which would end up in Git and in the output', 'create a Kubernetes Secret and reference it by name (see README, "Secrets to create")');
    }
    throw new ConfigError(`${field}.${key}`, (value as Record<string, unknown>)[key], 'is not a known field', `remove it or use one of: ${Object.keys(shape).join(', ')}`);
  }
  for (const [key, sub] of Object.entries(shape)) {
    const v = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    if (v === undefined) throw new ConfigError(`${field}.${key}`, v, 'is missing', 'set it in defaults: or in this environment');
    checkValue(`${field}.${key}`, v, sub);
  }
}

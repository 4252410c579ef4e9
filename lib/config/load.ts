import { readFileSync } from 'fs';
import { load } from 'js-yaml';
import { checkValue } from './checks';
import { ConfigError } from './errors';
import { ENVIRONMENT_SHAPE } from './shape';
import { EnvironmentConfig, Resources } from './types';
import { parseCpuMillis, parsePrometheusSize, parseQuantityBytes } from './units';
import { checkPinnedTag, PinnedComponent, pinnedImage } from './versions';

/** Where each image field lives in an environment, and the versions.json component it must match. */
const IMAGE_FIELDS: readonly (readonly [path: readonly string[], component: PinnedComponent])[] = [
  [['prometheus', 'image'], 'prometheus'],
  [['alertmanager', 'image'], 'alertmanager'],
  [['grafana', 'image'], 'grafana'],
  [['nodeExporter', 'image'], 'nodeExporter'],
  [['cadvisor', 'image'], 'cadvisor'],
  [['backend', 'postgres', 'image'], 'postgresExporter'],
  [['backend', 'redis', 'image'], 'redisExporter'],
  [['backup', 'images', 'curl'], 'curl'],
  [['backup', 'images', 'sqlite'], 'sqlite'],
  [['backup', 'images', 'awsCli'], 'awsCli'],
  [['prometheus', 'thanosSidecar', 'image'], 'thanos'],
];

/** The pinned images as a config layer under `defaults:` (the Thanos image applies only when the sidecar is on). */
function pinnedImageDefaults(): Json {
  const out: Json = {};
  for (const [path, component] of IMAGE_FIELDS) {
    if (path.includes('thanosSidecar')) continue;
    let at = out;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Json;
    at[path[path.length - 1]] = pinnedImage(component);
  }
  return out;
}

/** The Thanos image defaults to the pinned one when the sidecar is on. */
function fillThanosImage(env: Json): void {
  const sidecar = (env.prometheus as Json | undefined)?.thanosSidecar;
  if (isMap(sidecar) && sidecar.image === undefined) sidecar.image = pinnedImage('thanos');
}

/** Refuses any image that is not the tested release. */
function checkPinnedImages(field: string, env: Json): void {
  for (const [path, component] of IMAGE_FIELDS) {
    let at: unknown = env;
    for (const key of path) at = isMap(at) ? at[key] : undefined;
    if (typeof at === 'string') checkPinnedTag(`${field}.${path.join('.')}`, at, component);
  }
}

/** The share of the data volume that retention may use; the rest is WAL, head chunks and compaction space. */
export const MAX_RETENTION_SHARE = 0.8;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Overlays `override` on `base`: maps merge key by key, everything else (lists too) replaces. */
function merge(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = merge(base[k], v);
  return out;
}

/** Reads and validates a config file; returns every environment, or those named in `only`. */
export function loadConfigFile(path: string, only?: readonly string[]): EnvironmentConfig[] {
  let raw: unknown;
  try {
    raw = load(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, '(file)', `cannot be read as YAML: ${(e as Error).message}`, 'fix the YAML syntax');
  }
  return resolveConfig(raw, only);
}

/** Validates a parsed config document (`defaults:` + `environments:`) and resolves each environment. */
export function resolveConfig(raw: unknown, only?: readonly string[]): EnvironmentConfig[] {
  if (!isMap(raw)) throw new ConfigError('(config)', raw, 'must be a map with defaults: and environments:', 'see config/environments.yaml');
  for (const key of Object.keys(raw)) {
    if (key !== 'defaults' && key !== 'environments') {
      throw new ConfigError(key, raw[key], 'is not a known top-level field', 'use only defaults: and environments:');
    }
  }
  const envs = raw.environments;
  if (!isMap(envs) || Object.keys(envs).length === 0) {
    throw new ConfigError('environments', envs, 'must list at least one environment', 'add e.g. "environments: { dev: {} }"');
  }
  const names = Object.keys(envs).sort();
  for (const wanted of only ?? []) {
    if (!names.includes(wanted)) {
      throw new ConfigError('environment', wanted, 'is not defined in the config', `use one of: ${names.join(', ')}, or add it under environments:`);
    }
  }
  return names
    .filter((name) => !only || only.length === 0 || only.includes(name))
    .map((name) => resolveEnvironment(name, merge(merge(pinnedImageDefaults(), raw.defaults ?? {}), envs[name] ?? {})));
}

function resolveEnvironment(name: string, value: unknown): EnvironmentConfig {
  const field = `environments.${name}`;
  const nameCheck = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!nameCheck.test(name)) throw new ConfigError(field, name, 'is not a valid environment name', 'use lower-case letters, digits and "-" (it becomes a folder and a label)');
  if (isMap(value)) fillThanosImage(value);
  checkValue(field, value, ENVIRONMENT_SHAPE);
  checkPinnedImages(field, value as Json);
  const env = { ...(value as Json), name } as unknown as EnvironmentConfig;
  checkCrossFields(field, env);
  return env;
}

function checkResources(field: string, r: Resources): void {
  if (parseCpuMillis(`${field}.requests.cpu`, r.requests.cpu) > parseCpuMillis(`${field}.limits.cpu`, r.limits.cpu)) {
    throw new ConfigError(`${field}.requests.cpu`, r.requests.cpu, `is above the limit ${JSON.stringify(r.limits.cpu)}`, 'lower the request or raise the limit');
  }
  if (parseQuantityBytes(`${field}.requests.memory`, r.requests.memory) > parseQuantityBytes(`${field}.limits.memory`, r.limits.memory)) {
    throw new ConfigError(`${field}.requests.memory`, r.requests.memory, `is above the limit ${JSON.stringify(r.limits.memory)}`, 'lower the request or raise the limit');
  }
}

/** Rules that involve more than one field. */
function checkCrossFields(field: string, env: EnvironmentConfig): void {
  const p = env.prometheus;
  const storage = parseQuantityBytes(`${field}.prometheus.storage`, p.storage);
  const retention = parsePrometheusSize(`${field}.prometheus.retentionSize`, p.retentionSize);
  if (retention > storage * MAX_RETENTION_SHARE) {
    throw new ConfigError(`${field}.prometheus.retentionSize`, p.retentionSize,
      `must leave ${Math.round((1 - MAX_RETENTION_SHARE) * 100)}% of storage ${JSON.stringify(p.storage)} free for the WAL and compaction`,
      `lower retentionSize to at most ${Math.floor((storage * MAX_RETENTION_SHARE) / 2 ** 30)}GB or raise storage`);
  }
  const components = ['prometheus', 'alertmanager', 'grafana', 'nodeExporter', 'cadvisor'] as const;
  for (const c of components) checkResources(`${field}.${c}.resources`, env[c].resources);
  checkResources(`${field}.backend.postgres.resources`, env.backend.postgres.resources);
  checkResources(`${field}.backend.redis.resources`, env.backend.redis.resources);
  if (env.namespace === env.nodeAgentsNamespace) {
    throw new ConfigError(`${field}.nodeAgentsNamespace`, env.nodeAgentsNamespace, 'equals namespace; the node agents need host access and a namespace at the privileged Pod Security level of their own',
      'use a separate namespace such as "monitoring-node-agents"');
  }
  if (!env.network.defaultDeny) {
    throw new ConfigError(`${field}.network.defaultDeny`, false, 'would leave every pod of the stack open to the whole cluster',
      'keep it true; every path the stack needs is already allowed from the wiring (see README, "Network paths")');
  }
  if (env.namespace === env.backend.namespace) {
    throw new ConfigError(`${field}.namespace`, env.namespace, 'equals backend.namespace; the default-deny policies of the stack would isolate the backend', 'use a namespace of its own such as "monitoring"');
  }
}

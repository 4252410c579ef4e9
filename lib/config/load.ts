import { readFileSync } from 'fs';
import { checkValue } from './checks';
import { ConfigError } from './errors';
import { ENVIRONMENT_SHAPE } from './shape';
import { EnvironmentConfig, Resources } from './types';
import { parseCpuMillis, parsePrometheusSize, parseQuantityBytes } from './units';
import { fileProblem } from './errors';
import { checkPinnedTag, PinnedComponent, pinnedImage } from './versions';
import { findForbiddenKey, parseYaml } from './yaml-input';

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
  [['backup', 'images', 'python'], 'python'],
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const { problem, fix } = fileProblem(e, 'read');
    throw new ConfigError('config file', path, problem, `${fix}; the default is config/environments.yaml, another is chosen with --config FILE`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError('config file', path, `is not valid YAML: ${(e as Error).message}`, 'fix the YAML syntax');
  }
  if (raw === null || raw === undefined) {
    throw new ConfigError('config file', path, 'is empty', 'write defaults: and environments: into it (copy config/environments.yaml)');
  }
  return resolveConfig(raw, only);
}

/** Validates a parsed config document (`defaults:` + `environments:`) and resolves each environment. */
export function resolveConfig(raw: unknown, only?: readonly string[]): EnvironmentConfig[] {
  if (!isMap(raw)) throw new ConfigError('(top level of the config file)', raw, 'must be a map with defaults: and environments:', 'see config/environments.yaml');
  const forbidden = findForbiddenKey(raw, '(config)')?.replace(/^\(config\)\./, '');
  if (forbidden) {
    throw new ConfigError(forbidden, '***', 'is a key JavaScript treats as an object prototype, a way to smuggle values past the checks', 'remove it');
  }
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
  if (!nameCheck.test(name) || name.length > 63) throw new ConfigError(field, name, 'is not a valid environment name', 'use at most 63 lower-case letters, digits and "-" (it becomes a folder, a label and part of object names)');
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
  checkNamespaces(field, env);
  const names = p.remoteWrite.map((rw) => rw.name);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) {
    throw new ConfigError(`${field}.prometheus.remoteWrite[${dup}].name`, names[dup], 'is the name of another remote-write endpoint too; Prometheus refuses duplicate queue names', 'give each endpoint a name of its own');
  }
  const b = env.backup;
  if (b.enabled) {
    const need = (b.keep + 1) * retention;
    const have = parseQuantityBytes(`${field}.backup.storage.prometheus`, b.storage.prometheus);
    if (have < need) {
      throw new ConfigError(`${field}.backup.storage.prometheus`, b.storage.prometheus,
        `is smaller than (keep + 1) × prometheus.retentionSize = (${b.keep} + 1) × ${p.retentionSize}: a new backup is complete before the oldest is deleted, so the volume fills up`,
        `raise it to at least ${Math.ceil(need / 2 ** 30)}Gi, or lower backup.keep or prometheus.retentionSize`);
    }
  }
}

/** Namespaces the stack default-denies must not be anyone else's. */
function checkNamespaces(field: string, env: EnvironmentConfig): void {
  const others: [string, string][] = [
    ['kube-system', 'a Kubernetes system namespace'], ['kube-public', 'a Kubernetes system namespace'],
    ['kube-node-lease', 'a Kubernetes system namespace'], ['default', 'the default namespace'],
    [env.backend.namespace, 'backend.namespace'], [env.backend.api.namespace, 'backend.api.namespace (the API pods)'],
    [env.network.ingress.controller.namespace, 'network.ingress.controller.namespace (the ingress controller)'],
  ];
  if (env.prometheus.federation) others.push([env.prometheus.federation.from.namespace, 'prometheus.federation.from.namespace (the global Prometheus)']);
  if (env.prometheus.thanosSidecar) others.push([env.prometheus.thanosSidecar.querier.namespace, 'prometheus.thanosSidecar.querier.namespace (the Thanos Querier)']);
  for (const key of ['namespace', 'nodeAgentsNamespace'] as const) {
    const hit = others.find(([ns]) => ns === env[key]);
    if (hit) {
      throw new ConfigError(`${field}.${key}`, env[key], `is also ${hit[1]}; the stack's default-deny NetworkPolicies and Pod Security labels would apply to those pods too`,
        `use a namespace of the stack's own such as "${key === 'namespace' ? 'monitoring' : 'monitoring-node-agents'}"`);
    }
  }
}

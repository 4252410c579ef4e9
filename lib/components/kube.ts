import { Lazy } from 'cdk8s';
import * as k8s from '../../imports/k8s';

// Every object is a typed L1 `k8s.Kube*` class rather than a cdk8s-plus construct: cdk8s-plus adds a
// hashed, construct-path-derived label to selectors (cdk8s issue 2238) and forces security defaults
// that break these images (README "Pod security"); the tests still validate every object against the schema.

/** A value computed at synthesis (e.g. mounts of Secrets declared later), typed as what it produces. */
export function lazy<T>(produce: () => T): T {
  return Lazy.any({ produce }) as unknown as T;
}

/** A map of quantities (`{ cpu: '50m', memory: '64Mi' }`) as the L1 classes take it. */
export function quantities(values: Readonly<Record<string, string>>): Record<string, k8s.Quantity> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}

/** A port by name (a plain string in an `IntOrString` field would be dropped silently). */
export const namedPort = (name: string): k8s.IntOrString => k8s.IntOrString.fromString(name);

/**
 * Converts typed L1 props to Kubernetes JSON (`convert` is one of the generated `toJson_*`
 * functions) while keeping the key order of `source`, as the object was written: the generated
 * converters order keys by schema, which would reorder objects that are not sorted afterwards
 * (a container patched into the backend's manifests, a restore Job printed for `kubectl`).
 */
export function toJsonInOrder<T>(source: T, convert: (obj: T) => Record<string, unknown> | undefined): Record<string, any> {
  return orderLike(convert(source), source) as Record<string, any>;
}

function orderLike(json: unknown, source: unknown): unknown {
  if (Array.isArray(json)) return json.map((x, i) => orderLike(x, Array.isArray(source) ? source[i] : undefined));
  if (json === null || typeof json !== 'object' || source === null || typeof source !== 'object') return json;
  const src = source as Record<string, unknown>;
  const obj = json as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) if (k in obj) out[k] = orderLike(obj[k], src[k]);
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

/**
 * `k8s.KubeStatefulSet` that writes `apiVersion` and `kind` on each volume claim template, as the
 * API server returns them: the generated converter types the templates as bare claim props and
 * drops both fields, and GitOps tools would then show a permanent diff.
 */
export class KubeStatefulSet extends k8s.KubeStatefulSet {
  override toJson(): any {
    const json = super.toJson();
    const templates = json.spec?.volumeClaimTemplates as Record<string, unknown>[] | undefined;
    if (templates) json.spec.volumeClaimTemplates = templates.map((t) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t }));
    return json;
  }
}

import { ApiObject, JsonPatch } from 'cdk8s';
import { ConfigError } from '../config/errors';
import * as k8s from '../../imports/k8s';
import { toJsonInOrder } from './kube';
import { PortSpec, Wiring, Workload } from '../wiring/wiring';

/** Kinds whose pods are described by `spec.template`. */
const TEMPLATED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Props of `attachSidecar`. */
export interface SidecarAttachment {
  /** The workload object: any ApiObject, including one loaded with cdk8s `Include`, or `ApiObject.of(plusWorkload)`. */
  readonly target: ApiObject;
  /** The exporter container. */
  readonly container: k8s.Container;
  /** Volumes the container mounts (e.g. `postgresCredentialsVolume`), added to the pod. @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** Annotations the pod needs (e.g. `redisExporterPodAnnotations()`), added to its template. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** The exporter's metrics port (must not clash with the pod's ports). */
  readonly port: PortSpec;
  /** Workload id in the wiring (e.g. `postgres`). */
  readonly id: string;
  /** The registry of workloads and paths shared by the stack. */
  readonly wiring: Wiring;
  /** Namespace to assume when the object has none. */
  readonly defaultNamespace: string;
}

type Json = Record<string, any>;

/**
 * Adds an exporter container to a workload's pod template with a JSON patch and registers the pods
 * (selected by the workload's own selector, which is immutable and stable) with all their ports.
 * Works on any ApiObject, so the backend's own manifests can be used unchanged.
 */
export function attachSidecar(a: SidecarAttachment): Workload {
  const obj = a.target.toJson() as Json;
  const where = `${obj.kind}/${obj.metadata?.name}`;
  const templated = TEMPLATED_KINDS.has(obj.kind);
  if (!templated && obj.kind !== 'Pod') {
    throw new ConfigError(`sidecar ${a.container.name}`, where, 'is not a workload with a pod template', 'attach the exporter to a Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod');
  }
  const podSpec: Json | undefined = templated ? obj.spec?.template?.spec : obj.spec;
  const podLabels: Record<string, string> | undefined = templated ? obj.spec?.selector?.matchLabels : obj.metadata?.labels;
  if (!podSpec || !Array.isArray(podSpec.containers)) {
    throw new ConfigError(where, 'spec', 'has no containers', 'check that the manifest is a complete workload');
  }
  if (!podLabels || Object.keys(podLabels).length === 0) {
    throw new ConfigError(where, 'spec.selector', 'has no matchLabels to select its pods', 'give the workload a selector with matchLabels');
  }
  if (podSpec.containers.some((c: Json) => c.name === a.container.name)) {
    throw new ConfigError(where, a.container.name, 'already has a container of that name', 'attach the exporter only once');
  }
  const ports: PortSpec[] = [];
  for (const c of podSpec.containers as Json[]) {
    for (const p of c.ports ?? []) {
      ports.push(p.name
        ? { name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' }
        : { name: `port-${p.containerPort}`, port: p.containerPort, protocol: p.protocol ?? 'TCP', unnamed: true });
    }
  }
  ports.push(a.port);
  const workload = a.wiring.addWorkload({
    id: a.id, namespace: obj.metadata?.namespace ?? a.defaultNamespace, podLabels, ports, owned: false,
  });
  const base = templated ? '/spec/template/spec' : '/spec';
  const patches = [JsonPatch.add(`${base}/containers/-`, toJsonInOrder(harmless(a.container), k8s.toJson_Container))];
  if (a.volumes && a.volumes.length > 0) {
    if (!Array.isArray(podSpec.volumes)) patches.push(JsonPatch.add(`${base}/volumes`, []));
    for (const v of a.volumes) patches.push(JsonPatch.add(`${base}/volumes/-`, toJsonInOrder(optionalSecret(v, podSpec.securityContext?.fsGroup !== undefined), k8s.toJson_Volume)));
  }
  const annotations = Object.entries(a.podAnnotations ?? {});
  if (annotations.length > 0) {
    const meta = templated ? '/spec/template/metadata' : '/metadata';
    const have = templated ? obj.spec.template.metadata : obj.metadata;
    if (!have) patches.push(JsonPatch.add(meta, {}));
    if (!have?.annotations) patches.push(JsonPatch.add(`${meta}/annotations`, {}));
    for (const [k, v] of annotations) {
      if (have?.annotations?.[k] !== undefined && have.annotations[k] !== v) {
        throw new ConfigError(where, `annotation ${k}`, `is already set to ${JSON.stringify(have.annotations[k])}; ${a.container.name} needs ${JSON.stringify(v)}`, 'remove the annotation from the workload\'s pod template');
      }
      patches.push(JsonPatch.add(`${meta}/annotations/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, v));
    }
  }
  // `addJsonPatch` applies before an L1 class (as behind cdk8s-plus workloads) converts its typed props
  // to JSON, which would convert the container a second time. Apply the patch to the final JSON
  // instead, which works the same for plain ApiObjects and for included YAML.
  const toJson = a.target.toJson.bind(a.target);
  a.target.toJson = () => JsonPatch.apply(toJson(), ...patches);
  return workload;
}

/**
 * A pod is Ready only while every one of its containers is (kubelet: pkg/kubelet/status/generate.go,
 * GenerateContainersReadyCondition), so an exporter inside the database's pod must never be the
 * reason it is not: no probes (a failing probe would take the database out of its Service or restart
 * the exporter), and every Secret it reads optional (a missing Secret or key must not keep the pod
 * from starting — the exporter then reports the database down instead). A crash or an OOM kill
 * still makes the pod NotReady until the exporter restarts: the README compares this with the
 * standalone mode, which has no such coupling.
 */
export function harmless(c: k8s.Container): k8s.Container {
  return {
    ...c, readinessProbe: undefined, livenessProbe: undefined, startupProbe: undefined,
    env: c.env?.map((e) => (e.valueFrom?.secretKeyRef ? { ...e, valueFrom: { ...e.valueFrom, secretKeyRef: { ...e.valueFrom.secretKeyRef, optional: true } } } : e)),
    envFrom: c.envFrom?.map((e) => (e.secretRef ? { ...e, secretRef: { ...e.secretRef, optional: true } } : e)),
  };
}

/**
 * A Secret volume (or projected Secret) of the sidecar never keeps the database's pod from starting: optional. Its files
 * belong to root and to the pod's fsGroup; in a backend pod without an fsGroup the exporter's own
 * uid could not read 0440 files, so they are 0444 there — only the exporter mounts the volume.
 */
function optionalSecret(v: k8s.Volume, podHasFsGroup: boolean): k8s.Volume {
  const mode = podHasFsGroup ? {} : { defaultMode: 0o444 };
  if (v.projected) {
    const sources = v.projected.sources?.map((s) => (s.secret ? { ...s, secret: { ...s.secret, optional: true } } : s));
    return { ...v, projected: { ...v.projected, sources, ...mode } };
  }
  if (!v.secret) return v;
  return { ...v, secret: { ...v.secret, optional: true, ...mode } };
}

/** Finds the object of `kind` and `name` among ApiObjects (e.g. `include.apiObjects`). */
export function findObject(objects: readonly ApiObject[], kind: string, name: string, field: string): ApiObject {
  const found = objects.find((o) => o.kind === kind && o.name === name);
  if (!found) {
    const have = objects.map((o) => `${o.kind}/${o.name}`).join(', ') || 'nothing';
    throw new ConfigError(field, `${kind}/${name}`, `is not in the backend manifests (found: ${have})`, 'fix workloadKind/workloadName or backend.manifestsPath');
  }
  return found;
}

/** What the monitoring adds to one backend workload, as a strategic-merge patch. */
export interface BackendPatch {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The pod-template lists an attachment may add to, merged by `name` in a strategic-merge patch. */
const PATCHED_LISTS = ['initContainers', 'containers', 'volumes'] as const;

/**
 * One strategic-merge patch: what an attachment added to a backend workload's pod template, from the
 * object before and after.
 */
export function sidecarPatch(before: Record<string, any>, after: Record<string, any>): BackendPatch {
  const templated = after.kind !== 'Pod';
  const podOf = (o: Record<string, any>) => (templated ? o.spec?.template?.spec : o.spec) ?? {};
  const added: Record<string, unknown> = {};
  for (const list of PATCHED_LISTS) {
    const had = new Set((podOf(before)[list] ?? []).map((x: { name: string }) => x.name));
    const extra = (podOf(after)[list] ?? []).filter((x: { name: string }) => !had.has(x.name));
    if (extra.length > 0) added[list] = extra;
  }
  // Pod annotations the attachment added (the exporter's volume may read one).
  const annotationsOf = (o: Record<string, any>): Record<string, string> => (templated ? o.spec?.template?.metadata?.annotations : o.metadata?.annotations) ?? {};
  const had = annotationsOf(before);
  const annotations = Object.fromEntries(Object.entries(annotationsOf(after)).filter(([k, v]) => had[k] !== v));
  const some = Object.keys(annotations).length > 0 ? { annotations } : undefined;
  return {
    apiVersion: after.apiVersion, kind: after.kind, metadata: { name: after.metadata.name, namespace: after.metadata.namespace, ...(templated ? {} : some) },
    spec: templated ? { template: { ...(some ? { metadata: some } : {}), spec: added } } : added,
  };
}

import { Resources } from '../config/types';
import { PortSpec } from '../wiring/wiring';

/** A container as it appears in a pod spec (Kubernetes JSON). */
export type ContainerJson = Record<string, unknown> & { name: string; image: string };

/**
 * The security context of the Pod Security Standards "restricted" profile. cdk8s-plus-27 sets
 * runAsNonRoot without a numeric user, which the kubelet refuses for images whose USER is a name
 * (Prometheus, node-exporter: `nobody`), so every container here gets an explicit numeric uid.
 */
export function restrictedContainerSecurity(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod-level security context: non-root, seccomp RuntimeDefault, volumes owned by `fsGroup`. */
export function restrictedPodSecurity(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Options of `container()`. */
export interface ContainerOptions {
  /** Container name. */
  readonly name: string;
  /** Pinned image. */
  readonly image: string;
  /** Command-line arguments. @default none */
  readonly args?: readonly string[];
  /** Ports, by name. @default none */
  readonly ports?: readonly PortSpec[];
  /** Requests and limits. */
  readonly resources: Resources;
  /** Numeric user id; the container runs non-root with the restricted security context. */
  readonly uid: number;
  /** Volume mounts. @default none */
  readonly volumeMounts?: readonly Record<string, unknown>[];
  /** Environment variables (values or secretKeyRef). @default none */
  readonly env?: readonly Record<string, unknown>[];
  /** Readiness probe. @default none */
  readonly readinessProbe?: Record<string, unknown>;
  /** Liveness probe. @default none */
  readonly livenessProbe?: Record<string, unknown>;
  /** Replaces the restricted security context (node agents only). @default restricted */
  readonly securityContext?: Record<string, unknown>;
}

/** A hardened container: pinned image, requests and limits, restricted security context. */
export function container(o: ContainerOptions): ContainerJson {
  return {
    name: o.name,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    ...(o.args ? { args: [...o.args] } : {}),
    ...(o.env ? { env: [...o.env] } : {}),
    ...(o.ports ? { ports: o.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' })) } : {}),
    resources: { requests: { ...o.resources.requests }, limits: { ...o.resources.limits } },
    securityContext: o.securityContext ?? restrictedContainerSecurity(o.uid),
    ...(o.volumeMounts ? { volumeMounts: [...o.volumeMounts] } : {}),
    ...(o.readinessProbe ? { readinessProbe: o.readinessProbe } : {}),
    ...(o.livenessProbe ? { livenessProbe: o.livenessProbe } : {}),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** An HTTP GET probe on a named port. */
export function httpProbe(path: string, port: string, periodSeconds = 10, failureThreshold = 3): Record<string, unknown> {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

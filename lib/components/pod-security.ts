import * as k8s from '../../imports/k8s';
import { Resources } from '../config/types';
import { PortSpec } from '../wiring/wiring';
import { namedPort, quantities } from './kube';

/**
 * The security context of the Pod Security Standards "restricted" profile. cdk8s-plus-27 sets
 * runAsNonRoot without a numeric user, which the kubelet refuses for images whose USER is a name
 * (Prometheus, node-exporter: `nobody`), so every container here gets an explicit numeric uid.
 */
export function restrictedContainerSecurity(uid: number): k8s.SecurityContext {
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
export function restrictedPodSecurity(uid: number): k8s.PodSecurityContext {
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
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Environment variables (values or secretKeyRef). @default none */
  readonly env?: readonly k8s.EnvVar[];
  /** Readiness probe. @default none */
  readonly readinessProbe?: k8s.Probe;
  /** Liveness probe. @default none */
  readonly livenessProbe?: k8s.Probe;
  /** Replaces the restricted security context (node agents only). @default restricted */
  readonly securityContext?: k8s.SecurityContext;
}

/** A hardened container: pinned image, requests and limits, restricted security context. */
export function container(o: ContainerOptions): k8s.Container {
  return {
    name: o.name,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    // Optional fields stay undefined (and are left out) rather than spread in, so the compiler checks their names.
    args: o.args ? [...o.args] : undefined,
    env: o.env ? [...o.env] : undefined,
    ports: o.ports?.map((p): k8s.ContainerPort => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' })),
    resources: { requests: quantities(o.resources.requests), limits: quantities(o.resources.limits) },
    securityContext: o.securityContext ?? restrictedContainerSecurity(o.uid),
    volumeMounts: o.volumeMounts ? [...o.volumeMounts] : undefined,
    readinessProbe: o.readinessProbe,
    livenessProbe: o.livenessProbe,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** An HTTP GET probe on a named port. */
export function httpProbe(path: string, port: string, periodSeconds = 10, failureThreshold = 3): k8s.Probe {
  return { httpGet: { path, port: namedPort(port) }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/**
 * Spreads replicas over nodes where it can, so one node failure does not take all of them. Preferred,
 * not required: with fewer schedulable nodes than replicas a required rule would leave a replica
 * Pending, and that Pending replica uses up the PodDisruptionBudget's one allowed disruption, so
 * every node drain would block. The trade-off: on a small cluster two replicas may share a node.
 */
export function antiAffinity(podLabels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } },
      }],
    },
  };
}

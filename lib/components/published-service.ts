import { Construct } from 'constructs';
import { ExposureConfig, IngressConfig, WebAuthConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { namedPort } from './kube';
import { ExternalPeer, Wiring, Workload } from '../wiring/wiring';

/** Props of `publishThroughIngress`. */
export interface PublishProps {
  /** Object name of the Ingress (and the Service it routes to). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Public host name and its TLS Secret. */
  readonly host: string;
  readonly tlsSecret: string;
  /** Service port name to route to. */
  readonly portName: string;
  /** The pods behind the Service: the ingress controller gets a path to them. */
  readonly workload: Workload;
  readonly ingress: IngressConfig;
  readonly wiring: Wiring;
}

/**
 * An Ingress with TLS for a Service, and the NetworkPolicy path from the ingress controller to its
 * pods (the path the peers' policies forget, which breaks access as soon as policies are on).
 */
export function publishThroughIngress(scope: Construct, id: string, p: PublishProps): void {
  const controller = p.ingress.controller;
  const controllerPeer = { kind: 'pods', id: 'ingress-controller', namespace: controller.namespace, podLabels: controller.podLabels } as const;
  p.wiring.allowToWorkload(controllerPeer, p.workload, p.portName, 'users through the Ingress');
  if (p.ingress.clusterIssuer) allowAcmeSolver(p.wiring, p.namespace, controllerPeer);
  new k8s.KubeIngress(scope, id, {
    metadata: {
      name: p.name, namespace: p.namespace, labels: p.labels,
      annotations: p.ingress.clusterIssuer ? { 'cert-manager.io/cluster-issuer': p.ingress.clusterIssuer } : undefined,
    },
    spec: {
      ingressClassName: p.ingress.className,
      tls: [{ hosts: [p.host], secretName: p.tlsSecret }],
      rules: [{ host: p.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: p.name, port: { name: p.portName } } } }] } }],
    },
  });
}

/**
 * cert-manager answers an HTTP-01 challenge from a short-lived solver pod in the Ingress's namespace,
 * labelled `acme.cert-manager.io/http01-solver: "true"` and listening on 8089 (cert-manager
 * pkg/apis/acme/v1 SolverIdentificationLabelKey; pkg/issuer/acme/http/pod.go): under default deny
 * the ingress controller must reach it there, and nothing else may.
 */
export const ACME_SOLVER = { podLabels: { 'acme.cert-manager.io/http01-solver': 'true' }, port: 8089 } as const;

function allowAcmeSolver(wiring: Wiring, namespace: string, controller: ExternalPeer): void {
  const id = `acme-http01-solver-${namespace}`;
  const solver = wiring.allWorkloads().find((w) => w.id === id) ?? wiring.addWorkload({
    id, namespace, podLabels: { ...ACME_SOLVER.podLabels }, ports: [{ name: 'http-solver', port: ACME_SOLVER.port, unnamed: true }], owned: true, // the solver's port has no name: addressed by number
  });
  wiring.allowToWorkload(controller, solver, 'http-solver', 'cert-manager HTTP-01 challenges through the Ingress');
}

/** Where a server protected by basic auth finds its web config. */
export const WEB_AUTH_DIR = '/etc/web-auth';

/** Secret files are readable by their owner and the pod's group only (never 0644). */
export const SECRET_FILE_MODE = 0o440;

/** A server's basic auth: the Secret (keys `web-config.yml`, `password`) and the user its clients send. */
export interface ServerAuth {
  readonly secret: string;
  readonly username: string;
}

/** The basic auth a server asks every client for: the exposure's when it names one, else `webAuth`. */
export function serverAuth(config: { exposure: ExposureConfig | null; webAuth: WebAuthConfig }): ServerAuth {
  return config.exposure ? { secret: config.exposure.authSecret, username: config.exposure.username } : config.webAuth;
}

/** The client side of `auth`: user name and the Secret whose key `password` the client mounts. */
export function clientCredentials(auth: ServerAuth): { username: string; passwordSecret: string } {
  return { username: auth.username, passwordSecret: auth.secret };
}

/** A volume with only the `password` key of a web-auth Secret (what a client mounts), mode 0440. */
export function passwordVolume(name: string, secret: string): k8s.Volume {
  return { name, secret: { secretName: secret, items: [{ key: 'password', path: 'password' }], defaultMode: SECRET_FILE_MODE } };
}

/**
 * What a Prometheus-style server (Prometheus, Alertmanager) needs for basic auth from a Secret, for
 * every client including in-cluster ones: the `--web.config.file` flag, a volume with only the
 * `web-config.yml` key of the Secret (the server never sees the plaintext password), and probes
 * that do not need credentials (every HTTP endpoint, /-/ready included, asks for them).
 */
export function webAuth(auth: ServerAuth, portName: string): {
  args: string[]; volumes: k8s.Volume[]; mounts: k8s.VolumeMount[];
  probe: (periodSeconds?: number, failureThreshold?: number) => k8s.Probe;
} {
  return {
    args: [`--web.config.file=${WEB_AUTH_DIR}/web-config.yml`],
    volumes: [{ name: 'web-auth', secret: { secretName: auth.secret, items: [{ key: 'web-config.yml', path: 'web-config.yml' }], defaultMode: SECRET_FILE_MODE } }],
    mounts: [{ name: 'web-auth', mountPath: WEB_AUTH_DIR, readOnly: true }],
    probe: (periodSeconds = 10, failureThreshold = 3) => ({ tcpSocket: { port: namedPort(portName) }, periodSeconds, timeoutSeconds: 5, failureThreshold }),
  };
}

/**
 * The `--web.external-url` of a server: the configured URL, else its exposure host, else its
 * in-cluster Service. Links in alerts and notifications (`generatorURL`, Alertmanager's links) are
 * built from it. The servers also get `--web.route-prefix=/`, so a path in the URL (a reverse proxy's
 * prefix) never moves the endpoints that probes and clients call.
 */
export function externalUrl(config: { readonly externalUrl: string | null; readonly exposure: ExposureConfig | null }, service: string, namespace: string, port: number): string {
  if (config.externalUrl) return config.externalUrl;
  if (config.exposure) return `https://${config.exposure.host}/`;
  return `http://${service}.${namespace}.svc:${port}/`;
}

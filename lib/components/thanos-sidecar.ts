import { ThanosSidecarConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { container, httpProbe } from './pod-security';

/** The Thanos Store API port that Thanos Querier connects to. */
export const THANOS_GRPC_PORT = 10901;
const THANOS_HTTP_PORT = 10902;

/**
 * The Thanos sidecar: uploads each completed 2h block to object storage (config from a Secret) and
 * serves recent data to Thanos Querier over gRPC. Deduplication across HA replicas uses the
 * `replica` external label Prometheus sets from the pod name.
 */
export function thanosSidecarContainer(config: ThanosSidecarConfig, prometheusUrl: string, uid: number,
  auth: { username: string; passwordFile: string; volume: string }): k8s.Container {
  // Basic auth for Prometheus's API from a password file (facts/thanos-0.42.4.json, prometheusAuth:
  // --prometheus.http-client takes the YAML inline; no secret on argv, only the file's path).
  const httpClient = `basic_auth: {username: ${JSON.stringify(auth.username)}, password_file: ${JSON.stringify(auth.passwordFile)}}`;
  return container({
    name: 'thanos-sidecar', image: config.image, uid,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    args: [
      'sidecar',
      '--tsdb.path=/prometheus',
      `--prometheus.url=${prometheusUrl}`,
      `--prometheus.http-client=${httpClient}`,
      '--objstore.config-file=/etc/thanos/objstore.yml',
      `--grpc-address=:${THANOS_GRPC_PORT}`,
      `--http-address=:${THANOS_HTTP_PORT}`,
    ],
    ports: [{ name: 'grpc', port: THANOS_GRPC_PORT }, { name: 'thanos-http', port: THANOS_HTTP_PORT }],
    volumeMounts: [
      { name: 'prometheus-data', mountPath: '/prometheus' },
      { name: 'thanos-objstore', mountPath: '/etc/thanos', readOnly: true },
      { name: auth.volume, mountPath: auth.passwordFile.replace(/\/password$/, ''), readOnly: true },
    ],
    readinessProbe: httpProbe('/-/ready', 'thanos-http'),
    livenessProbe: httpProbe('/-/healthy', 'thanos-http', 30),
  });
}

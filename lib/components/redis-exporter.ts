import { DatabaseExporterConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { container, httpProbe } from './pod-security';
import { PortSpec } from '../wiring/wiring';

import { UIDS } from './identities';

/** The exporter's named metrics port. */
export function redisExporterPort(config: DatabaseExporterConfig): PortSpec {
  return { name: 'redis-metrics', port: config.port };
}

/**
 * The redis-exporter container. The password comes from the Secret `credentialsSecret` (key
 * `password`, optional for a Redis without AUTH), never from config.
 */
export function redisExporterContainer(config: DatabaseExporterConfig, redisAddress: string): k8s.Container {
  return container({
    name: 'redis-exporter', image: config.image, uid: UIDS.redisExporter, resources: config.resources,
    env: [
      { name: 'REDIS_ADDR', value: redisAddress },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${config.port}` },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: config.credentialsSecret, key: 'password', optional: true } } },
    ],
    ports: [redisExporterPort(config)],
    readinessProbe: httpProbe('/health', 'redis-metrics'),
    livenessProbe: httpProbe('/health', 'redis-metrics', 30),
  });
}

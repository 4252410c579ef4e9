import { DatabaseExporterConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { container, httpProbe } from './pod-security';
import { PortSpec } from '../wiring/wiring';

const NOBODY = 65534;

/** Where postgres-exporter finds the database. */
export interface PostgresConnection {
  /** `host:port/database` without credentials. @default 'localhost:5432/postgres' (the sidecar case) */
  readonly address: string;
  /** `sslmode` of the connection. @default 'disable' for localhost, else 'require' */
  readonly sslMode: string;
}

/** The exporter's named metrics port. */
export function postgresExporterPort(config: DatabaseExporterConfig): PortSpec {
  return { name: 'pg-metrics', port: config.port };
}

/**
 * The postgres-exporter container. User and password come from the Secret `credentialsSecret`
 * (keys `username`, `password`), never from config, so no credential is written to `dist/`.
 */
export function postgresExporterContainer(config: DatabaseExporterConfig, conn: PostgresConnection): k8s.Container {
  const secret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: config.credentialsSecret, key } } });
  return container({
    name: 'postgres-exporter', image: config.image, uid: NOBODY, resources: config.resources,
    args: [`--web.listen-address=:${config.port}`],
    env: [
      { name: 'DATA_SOURCE_URI', value: `${conn.address}?sslmode=${conn.sslMode}` },
      secret('DATA_SOURCE_USER', 'username'),
      secret('DATA_SOURCE_PASS', 'password'),
    ],
    ports: [postgresExporterPort(config)],
    readinessProbe: httpProbe('/', 'pg-metrics'),
    livenessProbe: httpProbe('/', 'pg-metrics', 30),
  });
}

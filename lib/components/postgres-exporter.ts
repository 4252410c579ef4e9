import { DatabaseExporterConfig } from '../config/types';
import * as k8s from '../../imports/k8s';
import { container, httpProbe } from './pod-security';
import { PortSpec } from '../wiring/wiring';

import { UIDS } from './identities';
import { SECRET_FILE_MODE } from './published-service';

/** Where the credentials Secret is mounted in the sidecar. */
const CREDENTIALS_DIR = '/etc/postgres-exporter/credentials';

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
  return container({
    name: 'postgres-exporter', image: config.image, uid: UIDS.postgresExporter, resources: config.resources,
    args: [`--web.listen-address=:${config.port}`],
    // User and password as files (DATA_SOURCE_USER_FILE / DATA_SOURCE_PASS_FILE, postgres_exporter
    // README "Environment Variables"): never in the environment, where the database's other
    // containers with the same uid could read them.
    env: [
      { name: 'DATA_SOURCE_URI', value: `${conn.address}?sslmode=${conn.sslMode}` },
      { name: 'DATA_SOURCE_USER_FILE', value: `${CREDENTIALS_DIR}/username` },
      { name: 'DATA_SOURCE_PASS_FILE', value: `${CREDENTIALS_DIR}/password` },
    ],
    volumeMounts: [{ name: postgresCredentialsVolume(config).name, mountPath: CREDENTIALS_DIR, readOnly: true }],
    ports: [postgresExporterPort(config)],
    readinessProbe: httpProbe('/', 'pg-metrics'),
    livenessProbe: httpProbe('/', 'pg-metrics', 30),
  });
}

/** The volume with the exporter's credentials (keys `username`, `password`), mode 0440; add it to the pod with the container. */
export function postgresCredentialsVolume(config: DatabaseExporterConfig): k8s.Volume {
  return {
    name: 'postgres-exporter-credentials',
    secret: { secretName: config.credentialsSecret, items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }], defaultMode: SECRET_FILE_MODE },
  };
}

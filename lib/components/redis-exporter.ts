import { DatabaseExporterConfig } from '../config/types';
import { ConfigError } from '../config/errors';
import * as k8s from '../../imports/k8s';
import { container, httpProbe } from './pod-security';
import { PortSpec } from '../wiring/wiring';

import { UIDS } from './identities';
import { SECRET_FILE_MODE } from './published-service';

/** Where the credentials volume is mounted in the exporter. */
const CREDENTIALS_DIR = '/etc/redis-exporter/credentials';
/** The key of the Secret (and the file) with the JSON map from Redis URI to password. */
export const REDIS_PASSWORD_FILE_KEY = 'password-file';

/**
 * The pod annotation whose value (`{}`, an empty password map) the credentials volume projects at
 * `password-file` when the Secret has no such key, so the exporter always finds a valid file.
 */
export const REDIS_PASSWORD_FALLBACK_ANNOTATION = 'nanoe-monitoring/redis-password-file-fallback';

/** The pod annotations the exporter's pod must carry (see `redisCredentialsVolume`). */
export function redisExporterPodAnnotations(): Record<string, string> {
  return { [REDIS_PASSWORD_FALLBACK_ANNOTATION]: '{}' };
}

/** The exporter's named metrics port. */
export function redisExporterPort(config: DatabaseExporterConfig): PortSpec {
  return { name: 'redis-metrics', port: config.port };
}

/**
 * A Redis address whose password-file key is the address itself: redis_exporter 1.86.0 looks the
 * password up under `url.Parse(addr).String()` (with `redis://` prepended when the address has no
 * scheme; exporter/redis.go `connectToRedis`, `lookupPasswordInPasswordMap`), which equals the
 * address only for `redis://host:port` or `rediss://host:port` without user, path, query or
 * trailing slash.
 */
const CANONICAL_REDIS_ADDRESS = /^rediss?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$/;

/**
 * The redis-exporter container. The password comes from the Secret `credentialsSecret`, key
 * `password-file`: a JSON map from the Redis address (exactly `redisAddress`) to its password,
 * read by `--redis.password-file` from the volume `redisCredentialsVolume` (add it to the pod,
 * with `redisExporterPodAnnotations()`), never from config, the environment or argv.
 */
export function redisExporterContainer(config: DatabaseExporterConfig, redisAddress: string): k8s.Container {
  if (!CANONICAL_REDIS_ADDRESS.test(redisAddress)) {
    throw new ConfigError('redisExporterContainer(redisAddress)', redisAddress,
      'is not of the form redis://host:port (or rediss://host:port): redis_exporter looks the password up in the password file under the normalized URI, which would then differ from the address',
      'give the address as redis://host:port, without user, path or trailing slash, and use the same string as the key of the password-file map');
  }
  return container({
    name: 'redis-exporter', image: config.image, uid: UIDS.redisExporter, resources: config.resources,
    // The password map as a file (redis_exporter main.go `--redis.password-file`): never in the
    // environment or the command line, where another process could read it from /proc.
    args: [`--redis.addr=${redisAddress}`, `--redis.password-file=${CREDENTIALS_DIR}/${REDIS_PASSWORD_FILE_KEY}`],
    env: [{ name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${config.port}` }],
    volumeMounts: [{ name: redisCredentialsVolume(config).name, mountPath: CREDENTIALS_DIR, readOnly: true }],
    ports: [redisExporterPort(config)],
    readinessProbe: httpProbe('/health', 'redis-metrics'),
    livenessProbe: httpProbe('/health', 'redis-metrics', 30),
  });
}

/**
 * The volume with the exporter's password map, mode 0440. redis_exporter exits at start when its
 * password file is missing or not JSON (main.go: `log.Fatalf("Error loading redis passwords from
 * file …")`), which in a sidecar would keep the database's pod NotReady. So the file always
 * exists: the projection writes `{}` from the pod annotation `REDIS_PASSWORD_FALLBACK_ANNOTATION`
 * first, then the Secret (optional, whole), whose key `password-file` replaces it — a later source
 * overwrites an earlier one at the same path (kubelet pkg/volume/projected/projected.go
 * `collectData`). Without the Secret or the key the exporter runs without a password: right for a
 * Redis without AUTH, and `redis_up` 0 for one with AUTH.
 */
export function redisCredentialsVolume(config: DatabaseExporterConfig): k8s.Volume {
  return {
    name: 'redis-exporter-credentials',
    projected: {
      defaultMode: SECRET_FILE_MODE,
      sources: [
        { downwardApi: { items: [{ path: REDIS_PASSWORD_FILE_KEY, fieldRef: { fieldPath: `metadata.annotations['${REDIS_PASSWORD_FALLBACK_ANNOTATION}']` } }] } },
        { secret: { name: config.credentialsSecret, optional: true } },
      ],
    },
  };
}

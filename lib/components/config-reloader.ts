import * as k8s from '../../imports/k8s';
import { container } from './pod-security';
import { pinnedImage } from '../config/versions';

/** Pinned config reloader (versions.json): watches mounted ConfigMaps/Secrets and POSTs to a reload URL on change. */
export const CONFIG_RELOADER_IMAGE = pinnedImage('configReloader');

/**
 * A sidecar that reloads a server in place when its mounted configuration changes, so a config
 * change never restarts the pod (for Prometheus: no WAL replay, no gap).
 */
export function configReloader(uid: number, mounts: readonly { name: string; mountPath: string }[], reloadUrl: string, env: readonly k8s.EnvVar[] = []): k8s.Container {
  return container({
    name: 'config-reloader', image: CONFIG_RELOADER_IMAGE, uid,
    resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
    args: [...mounts.map((m) => `--volume-dir=${m.mountPath}`), `--webhook-url=${reloadUrl}`],
    volumeMounts: mounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
    ...(env.length > 0 ? { env } : {}),
  });
}

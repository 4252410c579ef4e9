import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { stringify } from 'yaml';

/** The fields of Prometheus's kubernetes_sd_config (docs: configuration/#kubernetes_sd_config) usable here. */
const KUBERNETES_SD_FIELDS = new Set(['role', 'namespaces', 'selectors', 'api_server', 'attach_metadata', 'kubeconfig_file']);
const KUBERNETES_SD_ROLES = new Set(['endpoints', 'endpointslice', 'pod', 'service', 'node', 'ingress']);

/** Throws where Prometheus would refuse a kubernetes_sd_config block. */
export function checkKubernetesSd(sd: Record<string, any>): void {
  for (const k of Object.keys(sd)) if (!KUBERNETES_SD_FIELDS.has(k)) throw new Error(`kubernetes_sd_config: unknown field ${k}`);
  if (!KUBERNETES_SD_ROLES.has(sd.role)) throw new Error(`kubernetes_sd_config: bad role ${sd.role}`);
  for (const k of Object.keys(sd.namespaces ?? {})) if (k !== 'names' && k !== 'own_namespace') throw new Error(`kubernetes_sd_config.namespaces: unknown field ${k}`);
  if (sd.namespaces && !(Array.isArray(sd.namespaces.names) && sd.namespaces.names.every((n: unknown) => typeof n === 'string'))) throw new Error('namespaces.names must be a list of names');
}

/**
 * Runs `promtool check config` on a generated prometheus.yml (as an object) with its rule files.
 * Debian's promtool 2.42 is built without Kubernetes discovery (it rejects kubernetes_sd_configs as
 * an unknown field), so those blocks are checked by `checkKubernetesSd` and swapped for an equivalent
 * static block; everything else (relabelling, auth, remote write, alerting) goes to promtool.
 * Files the config references (rules, credentials) are created so promtool can check they exist.
 */
export function promtoolCheckConfig(config: any, ruleFiles: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-promtool-'));
  const local = (path: string) => join(dir, 'fs', path);
  const c = JSON.parse(JSON.stringify(config));
  c.rule_files = (c.rule_files ?? []).map((f: string) => {
    const name = f.split('/').pop()!;
    mkdirSync(dirname(local(f)), { recursive: true });
    writeFileSync(local(f), ruleFiles[name]);
    return local(f);
  });
  const blocks = [...(c.scrape_configs ?? []), ...(c.alerting?.alertmanagers ?? []), ...(c.remote_write ?? [])];
  for (const block of blocks) {
    for (const sd of block.kubernetes_sd_configs ?? []) checkKubernetesSd(sd);
    if (block.kubernetes_sd_configs) {
      delete block.kubernetes_sd_configs;
      block.static_configs = [{ targets: ['127.0.0.1:9'] }];
    }
    for (const auth of [block.basic_auth, block.authorization]) {
      for (const key of ['password_file', 'credentials_file']) {
        if (auth?.[key]) {
          mkdirSync(dirname(local(auth[key])), { recursive: true });
          writeFileSync(local(auth[key]), 'secret');
          auth[key] = local(auth[key]);
        }
      }
    }
  }
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(c));
  const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

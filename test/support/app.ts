import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';
import { buildEnvironments, EnvironmentApp } from '../../lib/output/synth';

export const ROOT = resolve(__dirname, '..', '..');
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

/** Builds every environment of the default config in memory (nothing is written). */
export function buildDefault(): EnvironmentApp[] {
  return buildEnvironments({ root: ROOT });
}

/** The objects of one built environment, in output order. */
export function objectsOf(env: EnvironmentApp): K8sObject[] {
  return env.stack.toJson() as K8sObject[];
}

export function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (!namespace || x.metadata.namespace === namespace));
  if (!o) throw new Error(`no ${kind}/${name} in output; have ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

/** The pod spec of a workload object. */
export function podSpecOf(o: K8sObject): any {
  return o.kind === 'Pod' ? o.spec : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);

/** Writes a config document (the default one, changed by `edit`) to a temp file and returns its path. */
export function configWith(edit: (doc: any) => void): string {
  const doc = parse(readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8'));
  edit(doc);
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-config-'));
  const file = join(dir, 'environments.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * Turns every optional feature on: remote write with credentials, the Thanos sidecar, federation,
 * Prometheus and Alertmanager exposed behind basic auth, S3 backup copies, both GitOps outputs and
 * the cAdvisor DaemonSet (the default config scrapes the kubelet's cAdvisor in prod), NodeLocal DNSCache.
 * Tests that must hold for every object the stack can emit run on this config too.
 */
export function allOptions(doc: any): void {
  const p = doc.defaults.prometheus;
  p.remoteWrite = [{
    name: 'mimir', url: 'https://mimir.example.com/api/v1/push', egress: { cidr: '192.0.2.10/32', port: 443 },
    basicAuthUsername: 'tenant-1', credentialsSecret: 'mimir-credentials', dropMetrics: ['go_.*'],
    queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000 },
  }];
  p.thanosSidecar = {
    objectStoreSecret: 'thanos-objstore', querier: { namespace: 'thanos', podLabels: { 'app.kubernetes.io/name': 'thanos-query' } },
    objectStoreEgress: { cidr: '192.0.2.30/32', port: 443 },
  };
  p.federation = { from: { namespace: 'monitoring-global', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }, match: ['up'] };
  const exposure = (host: string, secret: string) => ({ host, tlsSecret: `${secret}-tls`, authSecret: secret, username: 'nanoe' });
  p.exposure = exposure('prometheus.example.com', 'prometheus-web-auth');
  doc.defaults.alertmanager.exposure = exposure('alertmanager.example.com', 'alertmanager-web-auth');
  doc.defaults.backup.s3 = { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'nanoe-backups', region: 'eu-central-1', credentialsSecret: 's3-backup', egressCidr: '0.0.0.0/0' };
  doc.defaults.gitops.argoCd = { repoUrl: 'https://git.example.com/nanoe/monitoring.git', revision: 'main', project: 'default', namespace: 'argocd' };
  doc.defaults.gitops.flux = { gitRepository: 'nanoe-monitoring', namespace: 'flux-system', interval: '5m' };
  doc.defaults.cadvisor.source = 'daemonset';
  doc.defaults.network.nodeLocalDnsIp = '169.254.20.10';
}

/** Every environment of the default config, and of the same config with every option on. */
export function buildAllVariants(): { label: string; objects: K8sObject[] }[] {
  const plain = buildDefault().map((e) => ({ label: e.config.name, objects: objectsOf(e) }));
  const full = buildEnvironments({ root: ROOT, configFile: configWith(allOptions) }).map((e) => ({ label: `${e.config.name}+all-options`, objects: objectsOf(e) }));
  return [...plain, ...full];
}

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

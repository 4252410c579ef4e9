/**
 * Issue 14, item 1: the GitOps layout the README describes (Argo CD sync waves, the Application with
 * prune, self-heal and server-side apply, the Flux Kustomization with prune and wait, one file per
 * object). Only the config layer and lib/output/gitops.ts are loaded, so the mutation run is quick.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { resolveConfig } from '../lib/config/load';
import { EnvironmentConfig } from '../lib/config/types';
import { environmentFiles } from '../lib/output/gitops';

const ROOT = join(__dirname, '..');
function resolveWith(edit: (d: any) => void, name = 'dev'): EnvironmentConfig {
  const d = parse(readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8'));
  edit(d);
  return resolveConfig(d, [name])[0];
}

describe('GitOps output', () => {
  const gitopsConfig = (edit: (g: any) => void = () => {}) => resolveWith((d) => {
    d.defaults.gitops.argoCd = { repoUrl: 'https://git.example.com/nanoe/monitoring.git', revision: 'main', project: 'default', namespace: 'argocd' };
    d.defaults.gitops.flux = { gitRepository: 'nanoe-monitoring', namespace: 'flux-system', interval: '5m' };
    edit(d.defaults.gitops);
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
    ...['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'NetworkPolicy', 'PersistentVolumeClaim', 'Service']
      .map((kind) => ({ apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase(), namespace: 'monitoring' } })),
    ...['StatefulSet', 'Deployment', 'DaemonSet', 'CronJob', 'Ingress', 'PodDisruptionBudget']
      .map((kind) => ({ apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase(), namespace: 'monitoring', annotations: { keep: 'me' } } })),
  ];
  const fileText = (files: { path: string; text: string }[], path: string) => {
    const f = files.find((x) => x.path === path);
    if (!f) throw new Error(`no ${path}; have ${files.map((x) => x.path).join(', ')}`);
    return f.text;
  };

  const docsOf = (text: string) => text.split(/^---\n/m).filter((t) => t.trim()).map((t) => parse(t));

  test('Argo CD sync waves: Namespaces -2, then RBAC/ConfigMaps/Services/NetworkPolicies -1, then workloads and claims 0', () => {
    const files = environmentFiles(gitopsConfig(), objects);
    const docs = [...docsOf(fileText(files, 'dev/setup/setup.yaml')), ...docsOf(fileText(files, 'dev/nanoe-monitoring.k8s.yaml'))];
    const waves = Object.fromEntries(docs.map((o: any) => [o.kind, o.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({
      Namespace: '-2',
      ServiceAccount: '-1', Role: '-1', RoleBinding: '-1', ClusterRole: '-1', ClusterRoleBinding: '-1', ConfigMap: '-1', NetworkPolicy: '-1', Service: '-1',
      // A WaitForFirstConsumer claim binds only with its first pod: same wave as the workloads.
      PersistentVolumeClaim: '0', StatefulSet: '0', Deployment: '0', DaemonSet: '0', CronJob: '0', Ingress: '0', PodDisruptionBudget: '0',
    });
    expect(docs.find((o: any) => o.kind === 'Deployment').metadata.annotations.keep).toBe('me');
  });

  test('Namespaces and claims go to setup/, protected from prune and delete; everything else to the stack folder', () => {
    const files = environmentFiles(gitopsConfig((g) => { g.argoCd = null; }), objects);
    const setup = docsOf(fileText(files, 'dev/setup/setup.yaml'));
    expect(setup.map((o: any) => o.kind)).toEqual(['Namespace', 'PersistentVolumeClaim']);
    for (const o of setup) expect(o.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    const stack = docsOf(fileText(files, 'dev/nanoe-monitoring.k8s.yaml'));
    expect(stack.map((o: any) => o.kind).filter((k: string) => k === 'Namespace' || k === 'PersistentVolumeClaim')).toEqual([]);
    expect(stack.length + setup.length).toBe(objects.length);
  });

  test('without Argo CD no object carries a sync-wave annotation', () => {
    const files = environmentFiles(gitopsConfig((g) => { g.argoCd = null; }), objects);
    expect(files.map((f) => f.text).join('\n')).not.toContain('argocd.argoproj.io/sync-wave');
    expect(files.map((f) => f.path)).toEqual(['dev/nanoe-monitoring.k8s.yaml', 'dev/Kustomization', 'dev/setup/setup.yaml', 'dev/setup/Kustomization', 'gitops/flux-dev.yaml']);
  });

  test('two Argo CD Applications: setup never prunes, the stack prunes, self-heals, applies server-side and retries', () => {
    const [setup, app] = docsOf(fileText(environmentFiles(gitopsConfig(), objects), 'gitops/argocd-dev.yaml'));
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'nanoe-monitoring-dev', namespace: 'argocd' } });
    expect(app.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'nanoe-monitoring', 'app.kubernetes.io/component': 'gitops', 'app.kubernetes.io/part-of': 'nanoe-monitoring', 'app.kubernetes.io/managed-by': 'cdk8s' });
    const syncPolicy = (prune: boolean) => ({
      automated: { prune, selfHeal: true }, syncOptions: ['ServerSideApply=true'],
      retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    });
    expect(app.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.example.com/nanoe/monitoring.git', targetRevision: 'main', path: 'dist/dev' },
      destination: { server: 'https://kubernetes.default.svc' }, syncPolicy: syncPolicy(true),
    });
    expect(setup.metadata.name).toBe('nanoe-monitoring-dev-setup');
    expect(setup.spec).toEqual({ ...app.spec, source: { ...app.spec.source, path: 'dist/dev/setup' }, syncPolicy: syncPolicy(false) });
  });

  test('two Flux Kustomizations: setup neither prunes nor waits; the stack prunes and waits, after setup', () => {
    const [setup, ks] = docsOf(fileText(environmentFiles(gitopsConfig(), objects), 'gitops/flux-dev.yaml'));
    expect(ks).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'nanoe-monitoring-dev', namespace: 'flux-system' } });
    expect(ks.metadata.labels['app.kubernetes.io/component']).toBe('gitops');
    expect(ks.spec).toEqual({ interval: '5m', path: './dist/dev', prune: true, wait: true, timeout: '10m', dependsOn: [{ name: 'nanoe-monitoring-dev-setup' }], sourceRef: { kind: 'GitRepository', name: 'nanoe-monitoring' } });
    expect(setup.spec).toEqual({ interval: '5m', path: './dist/dev/setup', prune: false, wait: false, timeout: '10m', sourceRef: { kind: 'GitRepository', name: 'nanoe-monitoring' } });
  });

  test('setup/ lists the Namespaces before the claims, whatever the input order (a claim needs its Namespace)', () => {
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const pvc = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'monitoring' } });
    const files = environmentFiles(gitopsConfig((g) => { g.argoCd = null; g.flux = null; }), [pvc('c1'), ns('n1'), pvc('c2'), pvc('c3'), ns('n2'), pvc('c4')]);
    const setup = docsOf(fileText(files, 'dev/setup/setup.yaml'));
    expect(setup.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/n1', 'Namespace/n2', 'PersistentVolumeClaim/c1', 'PersistentVolumeClaim/c2', 'PersistentVolumeClaim/c3', 'PersistentVolumeClaim/c4']);
  });

  test('the backend\'s own objects are left out; its exporter patches and a README go to <env>/backend/', () => {
    const backendSts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'nanoe' } };
    const ours = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
      // Same kind and name as the backend's object, other namespace: the stack's own.
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'monitoring' } },
      // The stack's own object in the backend's namespace.
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres-metrics', namespace: 'nanoe' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'postgres' } },
    ];
    const patch = { ...backendSts, spec: { template: { spec: { containers: [{ name: 'postgres-exporter', image: 'x' }] } } } };
    const backend = { objectKeys: new Set(['StatefulSet/nanoe/postgres', 'ConfigMap/nanoe/postgres']), patches: [patch, { ...patch, kind: 'Deployment', metadata: { name: 'redis', namespace: 'nanoe' } }] };
    const files = environmentFiles(gitopsConfig((g) => { g.argoCd = null; g.flux = null; }), [backendSts, ...ours, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'postgres', namespace: 'nanoe' } }], backend);
    expect(files.map((f) => f.path)).toEqual([
      'dev/nanoe-monitoring.k8s.yaml', 'dev/Kustomization', 'dev/setup/setup.yaml', 'dev/setup/Kustomization',
      'dev/backend/statefulset-nanoe-postgres.patch.yaml', 'dev/backend/deployment-nanoe-redis.patch.yaml', 'dev/backend/README.md',
    ]);
    expect(docsOf(fileText(files, 'dev/nanoe-monitoring.k8s.yaml'))).toEqual(ours.slice(1));
    expect(docsOf(fileText(files, 'dev/setup/setup.yaml')).map((o: any) => o.metadata.name)).toEqual(['monitoring']);
    expect(parse(fileText(files, 'dev/backend/statefulset-nanoe-postgres.patch.yaml'))).toEqual(patch);
    const readme = fileText(files, 'dev/backend/README.md');
    expect(readme.split('\n')[0]).toBe('# Exporter sidecars for the backend\'s own workloads');
    expect(readme).toContain('\n    patches:\n      - path: <path to>/dist/dev/backend/<file>.patch.yaml\n');
  });

  test('filePerResource: one file per object, numbered in apply order, listed in each folder\'s Kustomization in that order', () => {
    const files = environmentFiles(gitopsConfig((g) => { g.filePerResource = true; g.argoCd = null; g.flux = null; }), objects.slice(0, 3));
    expect(files.map((f) => f.path)).toEqual(['dev/000-serviceaccount-monitoring-serviceaccount.yaml', 'dev/001-role-monitoring-role.yaml', 'dev/Kustomization', 'dev/setup/000-namespace-monitoring.yaml', 'dev/setup/Kustomization']);
    expect(parse(files[2].text)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['000-serviceaccount-monitoring-serviceaccount.yaml', '001-role-monitoring-role.yaml'] });
    expect(parse(files[3].text)).toEqual({ ...objects[0], metadata: { ...objects[0].metadata, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } });
  });
});

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

  test('Argo CD sync waves: Namespaces -2, then RBAC/ConfigMaps/Services/NetworkPolicies/PVCs -1, then workloads 0', () => {
    const docs = fileText(environmentFiles(gitopsConfig(), objects), 'dev/nanoe-monitoring.k8s.yaml').split(/^---\n/m).filter((t) => t.trim()).map((t) => parse(t));
    const waves = Object.fromEntries(docs.map((o: any) => [o.kind, o.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({
      Namespace: '-2',
      ServiceAccount: '-1', Role: '-1', RoleBinding: '-1', ClusterRole: '-1', ClusterRoleBinding: '-1', ConfigMap: '-1', NetworkPolicy: '-1', PersistentVolumeClaim: '-1', Service: '-1',
      StatefulSet: '0', Deployment: '0', DaemonSet: '0', CronJob: '0', Ingress: '0', PodDisruptionBudget: '0',
    });
    expect(docs.find((o: any) => o.kind === 'Deployment').metadata.annotations.keep).toBe('me');
  });

  test('without Argo CD no object carries a sync-wave annotation', () => {
    const files = environmentFiles(gitopsConfig((g) => { g.argoCd = null; }), objects);
    expect(files.map((f) => f.text).join('\n')).not.toContain('argocd.argoproj.io/sync-wave');
    expect(files.map((f) => f.path)).toEqual(['dev/nanoe-monitoring.k8s.yaml', 'dev/kustomization.yaml', 'gitops/flux-dev.yaml']);
  });

  test('the Argo CD Application syncs dist/<env> automatically with prune, self-heal and server-side apply', () => {
    const app = parse(fileText(environmentFiles(gitopsConfig(), objects), 'gitops/argocd-dev.yaml'));
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'nanoe-monitoring-dev', namespace: 'argocd' } });
    expect(app.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'nanoe-monitoring', 'app.kubernetes.io/component': 'gitops', 'app.kubernetes.io/part-of': 'nanoe-monitoring', 'app.kubernetes.io/managed-by': 'cdk8s' });
    expect(app.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.example.com/nanoe/monitoring.git', targetRevision: 'main', path: 'dist/dev' },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
    });
  });

  test('the Flux Kustomization prunes and waits, on the configured interval and source', () => {
    const ks = parse(fileText(environmentFiles(gitopsConfig(), objects), 'gitops/flux-dev.yaml'));
    expect(ks).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'nanoe-monitoring-dev', namespace: 'flux-system' } });
    expect(ks.metadata.labels['app.kubernetes.io/component']).toBe('gitops');
    expect(ks.spec).toEqual({ interval: '5m', path: './dist/dev', prune: true, wait: true, timeout: '10m', sourceRef: { kind: 'GitRepository', name: 'nanoe-monitoring' } });
  });

  test('filePerResource: one file per object, numbered in apply order, listed in kustomization.yaml in that order', () => {
    const files = environmentFiles(gitopsConfig((g) => { g.filePerResource = true; g.argoCd = null; g.flux = null; }), objects.slice(0, 3));
    expect(files.map((f) => f.path)).toEqual(['dev/000-namespace-monitoring.yaml', 'dev/001-serviceaccount-monitoring-serviceaccount.yaml', 'dev/002-role-monitoring-role.yaml', 'dev/kustomization.yaml']);
    expect(parse(files[3].text)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['000-namespace-monitoring.yaml', '001-serviceaccount-monitoring-serviceaccount.yaml', '002-role-monitoring-role.yaml'] });
    expect(parse(files[0].text)).toEqual(objects[0]);
  });
});


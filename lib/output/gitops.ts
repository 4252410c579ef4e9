import { EnvironmentConfig } from '../config/types';
import { toYaml, toYamlDocuments } from './yaml-output';
import { PART_OF, standardLabels } from '../wiring/labels';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } };

/** One file of an environment's output folder. */
export interface OutputFile {
  /** Path relative to `dist/`. */
  readonly path: string;
  readonly text: string;
}

/** Kinds every workload depends on: Argo CD syncs them in an earlier wave. */
const WAVES: Record<string, string> = {
  Namespace: '-2',
  ServiceAccount: '-1', Role: '-1', RoleBinding: '-1', ClusterRole: '-1', ClusterRoleBinding: '-1',
  ConfigMap: '-1', NetworkPolicy: '-1', PersistentVolumeClaim: '-1', Service: '-1',
};

function withSyncWave<T extends K8sObject>(o: T): T {
  const wave = WAVES[o.kind] ?? '0';
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'argocd.argoproj.io/sync-wave': wave } } };
}

/** A file name that sorts in apply order and never collides (the same name exists in several namespaces). */
function resourceFileName(index: number, o: K8sObject): string {
  const parts = [String(index).padStart(3, '0'), o.kind.toLowerCase(), o.metadata.namespace, o.metadata.name].filter(Boolean);
  return `${parts.join('-')}.yaml`;
}

/**
 * Lays out one environment for `kubectl apply -f`, Argo CD and Flux: the objects (one file, or one
 * file per object), a `kustomization.yaml` listing the files in apply order, and optional Argo CD
 * `Application` / Flux `Kustomization` objects under `gitops/` (outside the synced folder, so a tool
 * never manages its own definition).
 */
export function environmentFiles(config: EnvironmentConfig, objects: readonly K8sObject[]): OutputFile[] {
  const dir = config.name;
  const docs = config.gitops.argoCd ? objects.map(withSyncWave) : [...objects];
  const files: OutputFile[] = config.gitops.filePerResource
    ? docs.map((o, i) => ({ path: `${dir}/${resourceFileName(i, o)}`, text: toYaml(o) }))
    : [{ path: `${dir}/nanoe-monitoring.k8s.yaml`, text: toYamlDocuments(docs) }];
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization',
    resources: files.map((f) => f.path.slice(dir.length + 1)),
  };
  files.push({ path: `${dir}/kustomization.yaml`, text: toYaml(kustomization) });
  const labels = standardLabels(PART_OF, 'gitops');
  const name = `nanoe-monitoring-${config.name}`;
  if (config.gitops.argoCd) {
    const a = config.gitops.argoCd;
    files.push({
      path: `gitops/argocd-${config.name}.yaml`,
      text: toYaml({
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: a.namespace, labels },
        spec: {
          project: a.project,
          source: { repoURL: a.repoUrl, targetRevision: a.revision, path: `dist/${config.name}` },
          destination: { server: 'https://kubernetes.default.svc' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
        },
      }),
    });
  }
  if (config.gitops.flux) {
    const f = config.gitops.flux;
    files.push({
      path: `gitops/flux-${config.name}.yaml`,
      text: toYaml({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: f.namespace, labels },
        spec: {
          interval: f.interval, path: `./dist/${config.name}`, prune: true, wait: true, timeout: '10m',
          sourceRef: { kind: 'GitRepository', name: f.gitRepository },
        },
      }),
    });
  }
  return files;
}

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
  ConfigMap: '-1', NetworkPolicy: '-1', Service: '-1',
  // A claim of a WaitForFirstConsumer StorageClass binds only when a pod uses it: in an earlier wave
  // than its pods, Argo CD would wait for it forever (argo-cd#12840). Same wave as the workloads.
  PersistentVolumeClaim: '0',
};

/** Kinds that outlive the stack: written to `<env>/setup/`, never pruned or deleted by a GitOps tool. */
const KEPT_KINDS = new Set(['Namespace', 'PersistentVolumeClaim']);

/**
 * Argo CD and Flux leave these objects alone when they leave the output or the Application is deleted:
 * `Prune=false,Delete=false` (Argo CD sync options) and `prune: disabled` (Flux kustomize-controller).
 */
export const KEEP_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/**
 * kustomize's extensionless kustomization file name: `kubectl apply -k` and Flux read it, while
 * `kubectl apply -f <folder>` reads only .json, .yaml and .yml files and so never sees it. Sources:
 * kubernetes-sigs/kustomize api/v0.21.1 api/konfig/general.go (RecognizedKustomizationFileNames);
 * kubernetes/cli-runtime v0.36.2 pkg/resource/builder.go:45 (FileExtensions).
 */
export const KUSTOMIZATION_FILE = 'Kustomization';

function annotate<T extends K8sObject>(o: T, annotations: Record<string, string>): T {
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...annotations } } };
}

/** A file name that sorts in apply order and never collides (the same name exists in several namespaces). */
function resourceFileName(index: number, o: K8sObject): string {
  const parts = [String(index).padStart(3, '0'), o.kind.toLowerCase(), o.metadata.namespace, o.metadata.name].filter(Boolean);
  return `${parts.join('-')}.yaml`;
}

/** The backend's side: which loaded objects are the backend's own, and what it must apply. */
export interface BackendOutput {
  /** `kind/namespace/name` of every object loaded from the backend's manifests. */
  readonly objectKeys: ReadonlySet<string>;
  /** Strategic-merge patches that add the exporters to the backend's workloads. */
  readonly patches: readonly { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }[];
}

const NO_BACKEND: BackendOutput = { objectKeys: new Set(), patches: [] };

/** One folder of objects: a single file or one per object, and the kustomization listing them. */
function objectFolder(dir: string, fileName: string, docs: readonly K8sObject[], filePerResource: boolean): OutputFile[] {
  const files: OutputFile[] = filePerResource
    ? docs.map((o, i) => ({ path: `${dir}/${resourceFileName(i, o)}`, text: toYaml(o) }))
    : [{ path: `${dir}/${fileName}`, text: toYamlDocuments(docs) }];
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((f) => f.path.slice(dir.length + 1)) };
  return [...files, { path: `${dir}/${KUSTOMIZATION_FILE}`, text: toYaml(kustomization) }];
}

const BACKEND_README = (env: string) => `# Exporter sidecars for the backend's own workloads

The monitoring stack never applies, owns or deletes the backend's workloads. Each file here is a
strategic-merge patch that adds an exporter (and what it mounts) to one workload's pod template.
The backend's repository applies them with its own objects, for example in its kustomization:

    patches:
      - path: <path to>/dist/${env}/backend/<file>.patch.yaml

Until it does, the exporters are not running and the stack's absent-target alerts say so.
`;

/**
 * Lays out one environment, so that deleting or pruning the stack never touches data or the backend:
 * - \`<env>/\`: the stack's objects (one file, or one per object) and a \`Kustomization\` listing them —
 *   \`kubectl apply -f\`, \`kubectl apply -k\`, \`kubectl delete -f\`, Argo CD and Flux all work on it;
 * - \`<env>/setup/\`: Namespaces and the data claims, applied first and never pruned or deleted
 *   by the stack (a deleted Namespace would take every claim in it along);
 * - \`<env>/backend/\`: the exporter patches the backend's repository applies;
 * - \`gitops/\`: optional Argo CD Applications and Flux Kustomizations (outside the synced folders, so a
 *   tool never manages its own definition).
 */
export function environmentFiles(config: EnvironmentConfig, objects: readonly K8sObject[], backend: BackendOutput = NO_BACKEND): OutputFile[] {
  const dir = config.name;
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const ours = objects.filter((o) => !backend.objectKeys.has(key(o)));
  const wave = (o: K8sObject): K8sObject => (config.gitops.argoCd ? annotate(o, { 'argocd.argoproj.io/sync-wave': WAVES[o.kind] ?? '0' }) : o);
  const kept = ours.filter((o) => KEPT_KINDS.has(o.kind)).sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
  const stack = ours.filter((o) => !KEPT_KINDS.has(o.kind));
  const files = [
    ...objectFolder(dir, 'nanoe-monitoring.k8s.yaml', stack.map(wave), config.gitops.filePerResource),
    ...objectFolder(`${dir}/setup`, 'setup.yaml', kept.map((o) => wave(annotate(o, KEEP_ANNOTATIONS))), config.gitops.filePerResource),
  ];
  if (backend.patches.length > 0) {
    for (const p of backend.patches) {
      files.push({ path: `${dir}/backend/${p.kind.toLowerCase()}-${p.metadata.namespace}-${p.metadata.name}.patch.yaml`, text: toYaml(p) });
    }
    files.push({ path: `${dir}/backend/README.md`, text: BACKEND_README(config.name) });
  }
  files.push(...gitOpsFiles(config));
  return files;
}

/** Argo CD Applications and Flux Kustomizations: one for the setup folder (never pruning), one for the stack. */
function gitOpsFiles(config: EnvironmentConfig): OutputFile[] {
  const files: OutputFile[] = [];
  const labels = standardLabels(PART_OF, 'gitops');
  const name = `nanoe-monitoring-${config.name}`;
  const parts = [
    { name: `${name}-setup`, path: `dist/${config.name}/setup`, prune: false },
    { name, path: `dist/${config.name}`, prune: true },
  ];
  if (config.gitops.argoCd) {
    const a = config.gitops.argoCd;
    files.push({
      path: `gitops/argocd-${config.name}.yaml`,
      text: toYamlDocuments(parts.map((p) => ({
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: p.name, namespace: a.namespace, labels },
        spec: {
          project: a.project,
          source: { repoURL: a.repoUrl, targetRevision: a.revision, path: p.path },
          destination: { server: 'https://kubernetes.default.svc' },
          syncPolicy: {
            automated: { prune: p.prune, selfHeal: true }, syncOptions: ['ServerSideApply=true'],
            // The stack's namespaces come from the setup Application: retry until they exist.
            retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          },
        },
      }))),
    });
  }
  if (config.gitops.flux) {
    const f = config.gitops.flux;
    files.push({
      path: `gitops/flux-${config.name}.yaml`,
      text: toYamlDocuments(parts.map((p) => ({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: p.name, namespace: f.namespace, labels },
        spec: {
          interval: f.interval, path: `./${p.path}`, prune: p.prune,
          // The setup folder's claims bind only when their first pod starts: never health-checked.
          // The stack waits for its workloads, after the setup folder is applied.
          wait: p.prune, timeout: '10m',
          ...(p.prune ? { dependsOn: [{ name: `${name}-setup` }] } : {}),
          sourceRef: { kind: 'GitRepository', name: f.gitRepository },
        },
      }))),
    });
  }
  return files;
}

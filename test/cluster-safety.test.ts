/**
 * What a cluster does with the output, written down as rules over every file the stack can emit
 * (each environment, and every option on):
 * - `kubectl apply -f dist/<env>` reads only the folder's .json/.yaml/.yml files (not subfolders:
 *   kubernetes/cli-runtime v0.36.2 pkg/resource/builder.go FileExtensions, visitor.go ignoreFile),
 *   and `kubectl apply -k` / Flux read its extensionless `Kustomization` (kustomize api/v0.21.1
 *   api/konfig/general.go): both must see the same built-in objects.
 * - `kubectl delete -f dist/<env>`, deleting the Argo CD Application or a Flux prune removes exactly
 *   those objects: never a Namespace (it would take every claim in it along), a claim, or an object
 *   of the backend.
 * - A claim of a WaitForFirstConsumer StorageClass stays Pending until its first pod: GitOps must
 *   never wait for it before that pod exists.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { KEEP_ANNOTATIONS, KUSTOMIZATION_FILE } from '../lib/output/gitops';
import { renderAll } from '../lib/output/synth';
import { allOptions, configWith, K8sObject, podSpecOf, ROOT, WORKLOAD_KINDS } from './support/app';
import { validateK8sObject } from './support/k8s-schema';

/** API groups served by every Kubernetes cluster (no CRD needed). */
const BUILT_IN = /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|scheduling\.k8s\.io|storage\.k8s\.io)\/v\d+)$/;

type File = { path: string; text: string };
const variants: { label: string; files: File[] }[] = [
  { label: 'default config', files: renderAll({ root: ROOT }) },
  { label: 'every option on', files: renderAll({ root: ROOT, configFile: configWith((d) => { allOptions(d); d.defaults.backend.createNamespace = true; }) }) },
  { label: 'every option on, one file per object', files: renderAll({ root: ROOT, configFile: configWith((d) => { allOptions(d); d.defaults.gitops.filePerResource = true; }) }) },
];
const ENVS = ['dev', 'prod'];

/** The files `kubectl apply -f <dir>` reads (no subfolders), and the objects in them. */
function applyF(files: File[], dir: string): { file: string; objects: K8sObject[] }[] {
  return files
    .filter((f) => f.path.startsWith(`${dir}/`) && !f.path.slice(dir.length + 1).includes('/') && /\.(json|ya?ml)$/.test(f.path))
    .map((f) => ({ file: f.path, objects: parseAllDocuments(f.text).map((d) => d.toJS()).filter(Boolean) }));
}

/** The objects `kubectl apply -k <dir>` builds: the files its Kustomization lists. */
function applyK(files: File[], dir: string): K8sObject[] {
  const k = files.find((f) => f.path === `${dir}/${KUSTOMIZATION_FILE}`);
  if (!k) throw new Error(`no ${dir}/${KUSTOMIZATION_FILE}`);
  const doc = parse(k.text);
  return doc.resources.flatMap((r: string) => parseAllDocuments(files.find((f) => f.path === `${dir}/${r}`)!.text).map((d) => d.toJS()));
}

const backendWorkloads = (() => {
  const out = new Set<string>();
  for (const f of ['postgres.yaml', 'redis.yaml']) {
    for (const d of parseAllDocuments(readFileSync(join(ROOT, 'backend', f), 'utf8'))) {
      const o = d.toJS();
      if (o) out.add(`${o.kind}/${o.metadata.namespace ?? 'nanoe'}/${o.metadata.name}`);
    }
  }
  return out;
})();

describe.each(variants)('$label', ({ files }) => {
  describe.each(ENVS)('%s', (env) => {
    const stackFiles = applyF(files, env);
    const stack = stackFiles.flatMap((f) => f.objects);
    const setup = applyF(files, `${env}/setup`).flatMap((f) => f.objects);

    test('kubectl apply -f and -k see the same objects, every one a valid object of a built-in kind', () => {
      expect(stack.length).toBeGreaterThan(30);
      expect(applyK(files, env)).toEqual(stack);
      expect(applyK(files, `${env}/setup`)).toEqual(setup);
      for (const o of [...stack, ...setup]) {
        expect({ o: `${o.kind}/${o.metadata.name}`, builtIn: BUILT_IN.test(o.apiVersion) }).toEqual({ o: `${o.kind}/${o.metadata.name}`, builtIn: true });
        expect(validateK8sObject(o, '1.31.0')).toEqual([]);
      }
    });

    test('kubectl delete -f dist/<env> (or a GitOps delete or prune) removes no Namespace, no claim and nothing of the backend', () => {
      const removed = stack.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(removed.filter((k) => /^(Namespace|PersistentVolumeClaim)\//.test(k))).toEqual([]);
      expect(removed.filter((k) => backendWorkloads.has(k))).toEqual([]);
      const backendNs = stack.filter((o) => o.metadata.namespace === 'nanoe');
      expect(backendNs.filter((o) => WORKLOAD_KINDS.has(o.kind))).toEqual([]);
      // What the stack does keep in the backend's namespace: its own scrape Services, policies and discovery Role.
      expect([...new Set(backendNs.map((o) => o.kind))].sort()).toEqual(['NetworkPolicy', 'Role', 'RoleBinding', 'Service']);
    });

    test('the setup folder holds the Namespaces, then the claims, each protected from prune and delete', () => {
      expect(setup.map((o) => o.kind)).toEqual([...setup.filter((o) => o.kind === 'Namespace'), ...setup.filter((o) => o.kind !== 'Namespace')].map((o) => o.kind));
      expect([...new Set(setup.map((o) => o.kind))].sort()).toEqual(['Namespace', 'PersistentVolumeClaim']);
      for (const o of setup) expect({ o: `${o.kind}/${o.metadata.name}`, a: o.metadata.annotations }).toEqual({ o: `${o.kind}/${o.metadata.name}`, a: expect.objectContaining(KEEP_ANNOTATIONS) });
      // Every namespace the stack's objects live in exists after the setup folder, or is the backend's own.
      const created = new Set(setup.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
      const external = new Set(['nanoe', 'ingress-nginx', 'monitoring-global', 'thanos']);
      expect([...new Set(stack.map((o) => o.metadata.namespace).filter((n): n is string => !!n && !created.has(n) && !external.has(n)))]).toEqual([]);
    });

    test('every claim is in the same Argo CD sync wave as its first consumer', () => {
      const wave = (o: K8sObject) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
      for (const claim of setup.filter((o) => o.kind === 'PersistentVolumeClaim')) {
        const consumers = stack.filter((o) => WORKLOAD_KINDS.has(o.kind) && (podSpecOf(o).volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim.metadata.name));
        expect({ claim: claim.metadata.name, consumers: consumers.length > 0 }).toEqual({ claim: claim.metadata.name, consumers: true });
        for (const c of consumers) expect({ claim: claim.metadata.name, consumer: c.metadata.name, wave: wave(claim) }).toEqual({ claim: claim.metadata.name, consumer: c.metadata.name, wave: wave(c) });
      }
    });

    test('exporter patches for the backend: only what the monitoring adds, and never a probe or a required Secret', () => {
      const patches = files.filter((f) => f.path.startsWith(`${env}/backend/`) && f.path.endsWith('.patch.yaml')).map((f) => parse(f.text));
      expect(patches.map((p) => `${p.kind}/${p.metadata.name}`).sort()).toEqual(['StatefulSet/postgres', 'StatefulSet/redis']);
      for (const p of patches) {
        const spec = p.spec.template.spec;
        expect(Object.keys(spec).filter((k) => !['containers', 'volumes', 'initContainers'].includes(k))).toEqual([]);
        for (const c of spec.containers) {
          const where = `${p.metadata.name}/${c.name}`;
          expect({ where, probes: [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean) }).toEqual({ where, probes: [] });
          const required = [...(c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional).map((e: any) => e.name),
            ...(c.envFrom ?? []).filter((e: any) => e.secretRef && !e.secretRef.optional).map(() => 'envFrom')];
          expect({ where, required }).toEqual({ where, required: [] });
          // Measured here: both pinned exporters use about 17 MB; the limit leaves at least 3x that.
          const mem = (q: string) => Number(q.replace(/Mi$/, ''));
          expect({ where, limitMi: mem(c.resources.limits.memory) >= 64, headroom: mem(c.resources.limits.memory) >= 2 * mem(c.resources.requests.memory) }).toEqual({ where, limitMi: true, headroom: true });
        }
        for (const v of spec.volumes ?? []) {
          for (const s of [v.secret, ...(v.projected?.sources ?? []).map((x: any) => x.secret)].filter(Boolean)) expect({ v: v.name, optional: s.optional }).toEqual({ v: v.name, optional: true });
        }
      }
    });
  });

  test('GitOps: the setup part never prunes and is never waited on; the stack prunes and waits, after setup', () => {
    for (const env of ENVS) {
      const flux = files.find((f) => f.path === `gitops/flux-${env}.yaml`);
      const argo = files.find((f) => f.path === `gitops/argocd-${env}.yaml`);
      if (!flux || !argo) continue;
      const [fSetup, fStack] = parseAllDocuments(flux.text).map((d) => d.toJS());
      expect([fSetup.spec.prune, fSetup.spec.wait, fStack.spec.prune, fStack.spec.wait, fStack.spec.dependsOn]).toEqual([false, false, true, true, [{ name: fSetup.metadata.name }]]);
      const [aSetup, aStack] = parseAllDocuments(argo.text).map((d) => d.toJS());
      expect([aSetup.spec.syncPolicy.automated.prune, aStack.spec.syncPolicy.automated.prune]).toEqual([false, true]);
      expect(aStack.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    }
  });
});

test('the backend Namespace is created only when asked, in the setup folder', () => {
  const names = (files: File[]) => applyF(files, 'dev/setup').flatMap((f) => f.objects).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  expect(names(variants[0].files)).toEqual(['monitoring', 'monitoring-node-agents']);
  expect(names(variants[1].files)).toEqual(['monitoring', 'monitoring-node-agents', 'nanoe']);
});

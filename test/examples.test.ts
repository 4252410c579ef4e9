// examples/ compose the library through its public API only; each is synthesized and every object
// validated against the Kubernetes schema, like the Nanoe app.
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { load } from 'js-yaml';
import { apiOnlyApp } from '../examples/api-only/app';
import { validateK8sObjectAllVersions } from './support/k8s-schema';
import { VERSION_TABLE } from './support/pinned';

const EXAMPLES = resolve(__dirname, '..', 'examples');
type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
}

describe('examples/api-only', () => {
  const objects = apiOnlyApp().charts.flatMap((c) => c.toJson()) as Obj[];

  test('every object is valid Kubernetes (1.27 and 1.31 schemas, unknown fields refused)', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.flatMap((o) => validateK8sObjectAllVersions(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`))).toEqual([]);
  });

  test('Prometheus scrapes the API and NetworkPolicies allow exactly that path', () => {
    const config = load(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config')!.data['prometheus.yml']) as any;
    expect(config.scrape_configs.map((j: any) => j.job_name)).toEqual(['prometheus', 'alertmanager', 'api']);
    const prom = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'prometheus')!;
    expect(prom.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'shop-api' } } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    expect(objects.filter((o) => o.metadata.namespace === 'shop').map((o) => `${o.kind}/${o.metadata.name}`).sort())
      .toEqual(['Role/prometheus-discovery', 'RoleBinding/prometheus-discovery', 'Service/api-metrics']);
  });

  test('runs only the releases versions.json pins (the ones the tests run)', () => {
    const pinned = new Set(Object.values(VERSION_TABLE.components).map((c) => c.image));
    const images = objects.flatMap((o) => (o.spec?.template?.spec ? [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers] : [])).map((c: any) => c.image);
    expect(images.length).toBeGreaterThan(3);
    expect(images.filter((i) => !pinned.has(i))).toEqual([]);
  });

  test('uses only the public API (lib/index.ts) and packages', () => {
    for (const f of files(EXAMPLES)) {
      const specs = [...readFileSync(f, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      expect(specs.filter((s) => s.startsWith('.') && !/^(\.\.\/)+lib$/.test(s) && !s.startsWith('./'))).toEqual([]);
    }
  });
});

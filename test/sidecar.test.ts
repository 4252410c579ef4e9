import { ApiObject, Chart, Include, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { join } from 'path';
import { ConfigError } from '../lib/config/errors';
import { attachSidecar, findObject } from '../lib/components/exporter-sidecar';
import { postgresCredentialsVolume, postgresExporterContainer, postgresExporterPort } from '../lib/components/postgres-exporter';
import { redisExporterContainer, redisExporterPort } from '../lib/components/redis-exporter';
import { StandaloneExporter } from '../lib/components/standalone-exporter';
import { Wiring } from '../lib/wiring/wiring';
import { buildDefault, find, K8sObject, objectsOf, ROOT } from './support/app';
import { validateK8sObject } from './support/k8s-schema';

const dev = objectsOf(buildDefault()[0]);
const pgConfig = buildDefault()[0].config.backend.postgres;
const redisConfig = buildDefault()[0].config.backend.redis;

describe('exporter sidecars in the default app', () => {
  test('the backend Postgres StatefulSet gets postgres-exporter on 9187 with credentials from a Secret', () => {
    const sts = find(dev, 'StatefulSet', 'postgres', 'nanoe');
    const containers = sts.spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['postgres', 'postgres-exporter']);
    const exp = containers[1];
    expect(exp.ports).toEqual([{ name: 'pg-metrics', containerPort: 9187, protocol: 'TCP' }]);
    const env = Object.fromEntries(exp.env.map((e: any) => [e.name, e]));
    expect(env.DATA_SOURCE_URI.value).toBe('localhost:5432/postgres?sslmode=disable');
    expect(env.DATA_SOURCE_PASS).toBeUndefined();
    expect(env.DATA_SOURCE_PASS_FILE.value).toBe('/etc/postgres-exporter/credentials/password');
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'postgres-exporter-credentials', secret: { secretName: 'postgres-exporter-credentials', items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }], defaultMode: 0o440, optional: true } });
    expect(exp.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10187, readOnlyRootFilesystem: true });
    // the backend's own container is untouched
    expect(containers[0].image).toBe('docker.io/library/postgres:15.8');
  });

  test('the backend Redis StatefulSet gets redis-exporter on 9121', () => {
    const containers = find(dev, 'StatefulSet', 'redis', 'nanoe').spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['redis', 'redis-exporter']);
    expect(containers[1].ports[0]).toEqual({ name: 'redis-metrics', containerPort: 9121, protocol: 'TCP' });
  });
});

describe('attachSidecar', () => {
  test('works on a cdk8s-plus workload through ApiObject.of', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'db' });
    const deployment = new kplus.Deployment(chart, 'pg', { containers: [{ image: 'postgres:15.8', portNumber: 5432 }] });
    const wiring = new Wiring();
    const w = attachSidecar({
      target: ApiObject.of(deployment), id: 'pg', wiring, defaultNamespace: 'db',
      container: postgresExporterContainer(pgConfig, { address: 'localhost:5432/postgres', sslMode: 'disable' }), port: postgresExporterPort(pgConfig),
    });
    const out = (chart.toJson() as K8sObject[]).find((o) => o.kind === 'Deployment')!;
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['main', 'postgres-exporter']);
    expect(w.ports.map((p) => p.port)).toEqual([5432, 9187]);
    expect(validateK8sObject(out, '1.27.0')).toEqual([]);
  });

  test('works on objects loaded with Include from the backend YAML', () => {
    const chart = new Chart(Testing.app(), 'c');
    const objects = new Include(chart, 'b', { url: join(ROOT, 'backend', 'redis.yaml') }).apiObjects;
    const wiring = new Wiring();
    const w = attachSidecar({
      target: findObject(objects, 'StatefulSet', 'redis', 'backend.redis'), id: 'redis', wiring, defaultNamespace: 'nanoe',
      container: redisExporterContainer(redisConfig, 'redis://localhost:6379'), port: redisExporterPort(redisConfig),
    });
    expect(w.podLabels).toEqual({ 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'nanoe' });
    expect(w.namespace).toBe('nanoe');
  });

  test('refuses a port clash and a second attachment, naming the field and the fix', () => {
    const chart = new Chart(Testing.app(), 'c');
    const objects = new Include(chart, 'b', { url: join(ROOT, 'backend', 'redis.yaml') }).apiObjects;
    const target = findObject(objects, 'StatefulSet', 'redis', 'backend.redis');
    const clash = { ...redisConfig, port: 6379 };
    expect(() => attachSidecar({ target, id: 'redis', wiring: new Wiring(), defaultNamespace: 'nanoe', container: redisExporterContainer(clash, 'redis://localhost:6379'), port: redisExporterPort(clash) }))
      .toThrow(/redis\.ports\.redis-metrics: 6379 clashes with port "redis"/);
    expect(() => attachSidecar({ target: objects.find((o) => o.kind === 'Service')!, id: 'x', wiring: new Wiring(), defaultNamespace: 'nanoe', container: redisExporterContainer(redisConfig, 'redis://localhost:6379'), port: redisExporterPort(redisConfig) }))
      .toThrow(ConfigError);
  });
});

describe('the credentials volume in a backend pod', () => {
  // Secret files belong to root and the pod's fsGroup: the exporter's own uid reads 0440 files only
  // through an fsGroup, so a pod without one gets 0444 (only the exporter mounts the volume).
  test.each([[999, 0o440], [undefined, 0o444]])('pod fsGroup %s: mode %s, always optional', (fsGroup, mode) => {
    const chart = new Chart(Testing.app(), 'c');
    const target = new ApiObject(chart, 'db', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'nanoe' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { securityContext: fsGroup === undefined ? {} : { fsGroup }, containers: [{ name: 'db', image: 'postgres:15' }] } } },
    });
    attachSidecar({
      target, wiring: new Wiring(), id: 'db', defaultNamespace: 'nanoe', volumes: [postgresCredentialsVolume(pgConfig)],
      container: postgresExporterContainer(pgConfig, { address: 'localhost:5432/postgres', sslMode: 'disable' }), port: postgresExporterPort(pgConfig),
    });
    const volume = (target.toJson() as K8sObject).spec.template.spec.volumes.find((v: any) => v.name === 'postgres-exporter-credentials');
    expect([volume.secret.defaultMode, volume.secret.optional]).toEqual([mode, true]);
  });
});

describe('StandaloneExporter', () => {
  test('runs the exporter as its own Deployment with egress to the database only', () => {
    const chart = new Chart(Testing.app(), 'c');
    const wiring = new Wiring();
    const exporter = new StandaloneExporter(chart, 'pg', {
      name: 'postgres-exporter', namespace: 'monitoring', wiring, database: { cidr: '10.20.0.5/32', port: 5432 },
      container: postgresExporterContainer(pgConfig, { address: 'db.internal:5432/postgres', sslMode: 'require' }), port: postgresExporterPort(pgConfig),
    });
    const d = (chart.toJson() as K8sObject[])[0];
    expect(d.kind).toBe('Deployment');
    expect(d.metadata.labels!['app.kubernetes.io/name']).toBe('postgres-exporter');
    expect(d.spec.template.spec.containers[0].env[0].value).toBe('db.internal:5432/postgres?sslmode=require');
    expect(validateK8sObject(d, '1.27.0')).toEqual([]);
    expect(wiring.allPaths().map((p) => [p.from.kind === 'workload' && p.from.workload.id, p.to.kind === 'cidr' && p.to.cidr, p.port]))
      .toEqual([[exporter.workload.id, '10.20.0.5/32', 5432]]);
  });
});

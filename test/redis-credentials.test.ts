/**
 * Issue 16 point 3 for redis-exporter: the Redis password reaches it as a file (`--redis.password-file`,
 * a JSON map from the Redis address to the password, Secret key `password-file`), never through its
 * environment or argv; the file always exists (a projected `{}` from a pod annotation that the
 * Secret's key replaces), so a missing Secret never makes the exporter exit. Fails on the output
 * before (env REDIS_PASSWORD from a secretKeyRef, no volume).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { attachSidecar } from '../lib/components/exporter-sidecar';
import { redisCredentialsVolume, redisExporterContainer, redisExporterPodAnnotations, redisExporterPort } from '../lib/components/redis-exporter';
import { StandaloneExporter } from '../lib/components/standalone-exporter';
import { renderAll } from '../lib/output/synth';
import { Wiring } from '../lib/wiring/wiring';
import { allOptions, buildAllVariants, buildDefault, configWith, find, K8sObject, ROOT } from './support/app';
import { validateK8sObject } from './support/k8s-schema';

const redisConfig = buildDefault()[0].config.backend.redis;
const FALLBACK = "metadata.annotations['nanoe-monitoring/redis-password-file-fallback']";

/** The volume the default app renders: `{}` first, then the whole Secret (optional), mode 0440. */
const EXPECTED_VOLUME = {
  name: 'redis-exporter-credentials',
  projected: {
    defaultMode: 0o440,
    sources: [
      { downwardAPI: { items: [{ fieldRef: { fieldPath: FALLBACK }, path: 'password-file' }] } },
      { secret: { name: 'redis-exporter-credentials', optional: true } },
    ],
  },
};

describe('redis-exporter reads its password from a file', () => {
  test.each(buildAllVariants().map((v) => [v.label, v.objects] as const))('%s: password-file flag, no password in env or argv, the fallback annotation on the pod', (_l, objects) => {
    const template = find(objects, 'StatefulSet', 'redis', 'nanoe').spec.template;
    const c = template.spec.containers.find((x: any) => x.name === 'redis-exporter');
    expect(c.args).toEqual(['--redis.addr=redis://localhost:6379', '--redis.password-file=/etc/redis-exporter/credentials/password-file']);
    expect(c.env).toEqual([{ name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: ':9121' }]);
    expect(c.volumeMounts).toEqual([{ name: 'redis-exporter-credentials', mountPath: '/etc/redis-exporter/credentials', readOnly: true }]);
    expect(template.spec.volumes).toContainEqual(EXPECTED_VOLUME);
    expect(template.metadata.annotations).toEqual({ 'nanoe-monitoring/redis-password-file-fallback': '{}' });
  });

  test('the backend patch carries the container, the volume and the annotation the volume reads', () => {
    for (const files of [renderAll({ root: ROOT }), renderAll({ root: ROOT, configFile: configWith(allOptions) })]) {
      const patch = parse(files.find((f) => /^dev\/backend\/.*redis.*\.patch\.yaml$/.test(f.path))!.text);
      expect(patch.spec.template.metadata).toEqual({ annotations: { 'nanoe-monitoring/redis-password-file-fallback': '{}' } });
      expect(patch.spec.template.spec.volumes).toEqual([EXPECTED_VOLUME]);
      expect(patch.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['redis-exporter']);
      // The Postgres patch gains no annotation.
      const pg = parse(files.find((f) => /^dev\/backend\/.*postgres.*\.patch\.yaml$/.test(f.path))!.text);
      expect(pg.spec.template.metadata).toBeUndefined();
    }
  });

  const chart = () => new Chart(Testing.app(), 'c');
  const pod = (c: Chart, fsGroup: number | undefined, annotations?: Record<string, string>) => new ApiObject(c, 'db', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'nanoe' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' }, annotations }, spec: { securityContext: fsGroup === undefined ? {} : { fsGroup }, containers: [{ name: 'db', image: 'redis:7' }] } } },
  });
  const attach = (target: ApiObject) => attachSidecar({
    target, wiring: new Wiring(), id: 'db', defaultNamespace: 'nanoe', volumes: [redisCredentialsVolume(redisConfig)], podAnnotations: redisExporterPodAnnotations(),
    container: redisExporterContainer(redisConfig, 'redis://localhost:6379'), port: redisExporterPort(redisConfig),
  });

  test.each([[999, 0o440], [undefined, 0o444]])('in a backend pod with fsGroup %s: mode %s, the Secret optional, valid for Kubernetes 1.27', (fsGroup, mode) => {
    const target = pod(chart(), fsGroup, { keep: 'me' });
    attach(target);
    const out = target.toJson() as K8sObject;
    const v = out.spec.template.spec.volumes[0];
    expect([v.projected.defaultMode, v.projected.sources[1].secret.optional]).toEqual([mode, true]);
    expect(out.spec.template.metadata.annotations).toEqual({ keep: 'me', 'nanoe-monitoring/redis-password-file-fallback': '{}' });
    expect(validateK8sObject(out, '1.27.0')).toEqual([]);
  });

  test('a pod template without annotations gets them; one that sets the annotation otherwise is refused', () => {
    const plain = pod(chart(), 999);
    attach(plain);
    expect((plain.toJson() as K8sObject).spec.template.metadata.annotations).toEqual(redisExporterPodAnnotations());
    expect(() => attach(pod(chart(), 999, { 'nanoe-monitoring/redis-password-file-fallback': 'x' })))
      .toThrow(/StatefulSet\/db: "annotation nanoe-monitoring\/redis-password-file-fallback" is already set to "x"; redis-exporter needs "\{\}" — remove the annotation/);
  });

  test('StandaloneExporter puts the annotation and the volume on its own pod', () => {
    const c = chart();
    new StandaloneExporter(c, 'r', {
      name: 'redis-exporter', namespace: 'monitoring', wiring: new Wiring(), database: { cidr: '10.1.2.3/32', port: 6379 },
      container: redisExporterContainer(redisConfig, 'redis://10.1.2.3:6379'), volumes: [redisCredentialsVolume(redisConfig)],
      podAnnotations: redisExporterPodAnnotations(), port: redisExporterPort(redisConfig),
    });
    const d = (c.toJson() as K8sObject[]).find((o) => o.kind === 'Deployment')!;
    expect(d.spec.template.metadata.annotations).toEqual({ 'nanoe-monitoring/redis-password-file-fallback': '{}' });
    expect(d.spec.template.spec.volumes).toEqual([EXPECTED_VOLUME]);
    expect(d.spec.template.spec.containers[0].args[0]).toBe('--redis.addr=redis://10.1.2.3:6379');
  });
});

describe('a Redis address the password-file key could not match is refused', () => {
  // redis_exporter looks up url.Parse(addr).String(), with redis:// prepended to an address without scheme.
  test.each(['localhost:6379', 'redis://localhost:6379/', 'redis://localhost:6379/0', 'redis://user@localhost:6379', 'redis://:pw@localhost:6379', 'REDIS://localhost:6379', 'redis://localhost', 'unix:///run/redis.sock', 'redis://localhost:6379?x=1'])('%s', (addr) => {
    expect(() => redisExporterContainer(redisConfig, addr)).toThrow(`redisExporterContainer(redisAddress): ${JSON.stringify(addr)} is not of the form redis://host:port`);
    expect(() => redisExporterContainer(redisConfig, addr)).toThrow(/use the same string as the key of the password-file map/);
  });
  test.each(['redis://localhost:6379', 'rediss://redis.example.internal:6380', 'redis://10.0.0.7:6379', 'redis://[::1]:6379'])('%s is accepted', (addr) => {
    expect(redisExporterContainer(redisConfig, addr).args).toContain(`--redis.addr=${addr}`);
  });
});

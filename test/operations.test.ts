import { spawnSync } from 'child_process';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { ConfigError } from '../lib/config/errors';
import { MonitoringStack } from '../lib/components/stack';
import { buildEnvironments, dashboardsFrom, renderAll, ruleFilesFor } from '../lib/output/synth';
import { buildDefault, configWith, find, K8sObject, objectsOf, ROOT } from './support/app';
import { validateK8sObject } from './support/k8s-schema';
import { promtoolCheckConfig } from './support/promtool';

function buildWith(edit: (doc: any) => void, env = 'dev') {
  const [e] = buildEnvironments({ root: ROOT, configFile: configWith(edit), environments: [env] });
  const objects = objectsOf(e);
  const rules = find(objects, 'ConfigMap', 'prometheus-rules').data as Record<string, string>;
  return { e, objects, config: parse(find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']), rules };
}
const policy = (objects: K8sObject[], name: string) => find(objects, 'NetworkPolicy', name);

describe('remote write', () => {
  const { objects, config, rules } = buildWith((d) => {
    d.defaults.prometheus.remoteWrite = [
      { name: 'mimir', url: 'https://mimir.example.com/api/v1/push', egress: { cidr: '192.0.2.10/32', port: 443 }, basicAuthUsername: 'tenant-1', credentialsSecret: 'mimir-credentials', dropMetrics: ['go_.*', 'container_.*'], queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000 } },
      { name: 'thanos', url: 'https://thanos-receive.example.com/api/v1/receive', egress: { cidr: '192.0.2.20/32', port: 19291 }, basicAuthUsername: null, credentialsSecret: 'thanos-token', dropMetrics: [], queue: { capacity: 5000, maxShards: 10, maxSamplesPerSend: 1000 } },
    ];
  });

  test('renders queues, write relabelling and credentials files from Secrets, and passes promtool', () => {
    expect(config.remote_write).toEqual([
      {
        name: 'mimir', url: 'https://mimir.example.com/api/v1/push',
        basic_auth: { username: 'tenant-1', password_file: '/etc/prometheus/secrets/mimir-credentials/password' },
        queue_config: { capacity: 10000, max_shards: 50, max_samples_per_send: 2000 },
        write_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }, { source_labels: ['__name__'], regex: 'container_.*', action: 'drop' }],
      },
      {
        name: 'thanos', url: 'https://thanos-receive.example.com/api/v1/receive',
        authorization: { credentials_file: '/etc/prometheus/secrets/thanos-token/token' },
        queue_config: { capacity: 5000, max_shards: 10, max_samples_per_send: 1000 },
      },
    ]);
    expect(promtoolCheckConfig(config, rules)).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });

  test('mounts each credentials Secret and opens egress to each endpoint only', () => {
    const spec = find(objects, 'StatefulSet', 'prometheus').spec.template.spec;
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'secret-mimir-credentials', secret: { secretName: 'mimir-credentials', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 } },
      { name: 'secret-thanos-token', secret: { secretName: 'thanos-token', items: [{ key: 'token', path: 'token' }], defaultMode: 0o440 } },
    ]));
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'secret-mimir-credentials', mountPath: '/etc/prometheus/secrets/mimir-credentials', readOnly: true });
    const egress = policy(objects, 'prometheus').spec.egress;
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '192.0.2.20/32' } }], ports: [{ protocol: 'TCP', port: 19291 }] });
    for (const o of objects) expect(validateK8sObject(o, '1.27.0')).toEqual([]);
  });

  test('refuses credentials over plain http', () => {
    expect(() => buildWith((d) => {
      d.defaults.prometheus.remoteWrite = [{ name: 'm', url: 'http://mimir:8080/api/v1/push', egress: { cidr: '192.0.2.10/32', port: 8080 }, basicAuthUsername: 'u', credentialsSecret: 's', dropMetrics: [], queue: { capacity: 1, maxShards: 1, maxSamplesPerSend: 1 } }];
    })).toThrow(/remoteWrite\[0\]\.url: "http:\/\/mimir:8080\/api\/v1\/push" sends credentials over plain http — use an https:\/\/ URL/);
  });
});

describe('Thanos sidecar', () => {
  const { objects } = buildWith((d) => {
    d.defaults.prometheus.thanosSidecar = {
      objectStoreSecret: 'thanos-objstore',
      querier: { namespace: 'thanos', podLabels: { 'app.kubernetes.io/name': 'thanos-query' } }, objectStoreEgress: { cidr: '192.0.2.30/32', port: 443 },
    };
  });

  test('adds the sidecar with 2h blocks, the Store API port and its paths', () => {
    const sts = find(objects, 'StatefulSet', 'prometheus');
    const [prom, thanos] = sts.spec.template.spec.containers;
    expect(thanos.name).toBe('thanos-sidecar');
    // Prometheus asks every client for basic auth: the sidecar reads the password from a file.
    expect(thanos.args).toContain('--prometheus.http-client=basic_auth: {username: "nanoe", password_file: "/etc/prometheus/secrets/prometheus-web-auth/password"}');
    expect(thanos.args).toEqual(expect.arrayContaining(['sidecar', '--tsdb.path=/prometheus', '--objstore.config-file=/etc/thanos/objstore.yml']));
    expect(prom.args).toEqual(expect.arrayContaining(['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h']));
    const ingress = policy(objects, 'prometheus').spec.ingress;
    expect(ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'thanos' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'thanos-query' } } }],
      ports: [{ protocol: 'TCP', port: 'grpc' }],
    });
    expect(validateK8sObject(sts, '1.27.0')).toEqual([]);
  });
});

describe('federation (on in prod)', () => {
  const prod = objectsOf(buildDefault()[1]);

  test('ships the scrape job for the global Prometheus, which promtool accepts, and lets only it in', () => {
    const job = parse(find(prod, 'ConfigMap', 'prometheus-federation-job').data['federate-job.yml'])[0];
    expect(job).toMatchObject({ job_name: 'federate-prod', honor_labels: true, metrics_path: '/federate', static_configs: [{ targets: ['prometheus-0.prometheus-metrics.monitoring.svc:9090', 'prometheus-1.prometheus-metrics.monitoring.svc:9090'] }] });
    expect(job.params['match[]']).toContain('up');
    expect(promtoolCheckConfig({ scrape_configs: [job] }, {})).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
    expect(policy(prod, 'prometheus').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring-global' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ protocol: 'TCP', port: 'web' }],
    });
  });
});

describe('exposing Prometheus and Alertmanager', () => {
  const exposure = (host: string, secret: string) => ({ host, tlsSecret: `${secret}-tls`, authSecret: secret, username: 'nanoe' });
  const { objects, config, rules } = buildWith((d) => {
    d.defaults.prometheus.exposure = exposure('prometheus.example.com', 'prometheus-web-auth');
    d.defaults.alertmanager.exposure = exposure('alertmanager.example.com', 'alertmanager-web-auth');
  });

  test('requires basic auth from the Secret, probes without credentials, and a TLS Ingress', () => {
    const prom = find(objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    expect(prom.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
    expect(prom.readinessProbe).toMatchObject({ tcpSocket: { port: 'web' } });
    expect(find(objects, 'Ingress', 'prometheus').spec.tls).toEqual([{ hosts: ['prometheus.example.com'], secretName: 'prometheus-web-auth-tls' }]);
    const am = find(objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0];
    expect(am.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
    expect(find(objects, 'Ingress', 'alertmanager').spec.rules[0].host).toBe('alertmanager.example.com');
  });

  test('every in-cluster client authenticates: Grafana, self-scrape, alert delivery, Thanos', () => {
    const ds = parse(find(objects, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources[0];
    expect(ds).toMatchObject({ basicAuth: true, basicAuthUser: 'nanoe', secureJsonData: { basicAuthPassword: '$__file{/etc/grafana/secrets/prometheus/password}' } });
    const grafana = find(objects, 'Deployment', 'grafana').spec.template.spec;
    expect(grafana.volumes).toContainEqual({ name: 'prometheus-password', secret: { secretName: 'prometheus-web-auth', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 } });
    const self = config.scrape_configs.find((j: any) => j.job_name === 'prometheus');
    expect(self.basic_auth).toEqual({ username: 'nanoe', password_file: '/etc/prometheus/secrets/prometheus-web-auth/password' });
    expect(config.alerting.alertmanagers[0].basic_auth).toEqual({ username: 'nanoe', password_file: '/etc/prometheus/secrets/alertmanager-web-auth/password' });
    expect(promtoolCheckConfig(config, rules)).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
    for (const o of objects) expect(validateK8sObject(o, '1.27.0')).toEqual([]);
  });

  test('the ingress controller reaches only what is published', () => {
    for (const name of ['prometheus', 'alertmanager']) {
      expect(policy(objects, name).spec.ingress).toContainEqual({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: 'web' }],
      });
    }
    const dev = objectsOf(buildDefault()[0]);
    const fromController = (o: K8sObject) => JSON.stringify(o.spec.ingress ?? []).includes('ingress-nginx');
    expect(dev.filter((o) => o.kind === 'NetworkPolicy' && fromController(o))).toEqual([]);
  });

  test('refuses exposure without an auth Secret', () => {
    expect(() => buildWith((d) => { d.defaults.prometheus.exposure = { host: 'p.example.com', tlsSecret: 't', username: 'u' }; }))
      .toThrow(/prometheus\.exposure\.authSecret: undefined is missing/);
  });
});

describe('GitOps layout and determinism', () => {
  test('one file per resource: unique names in apply order, all listed in each folder\'s Kustomization', () => {
    const [e] = buildEnvironments({ root: ROOT, configFile: configWith((d) => { d.defaults.gitops.filePerResource = true; }), environments: ['dev'] });
    const files = renderAll({ root: ROOT, configFile: configWith((d) => { d.defaults.gitops.filePerResource = true; }), environments: ['dev'] });
    const backend = e.stack.backendObjectKeys;
    const objects = objectsOf(e).filter((o) => !backend.has(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    for (const dir of ['dev', 'dev/setup']) {
      const resources = files.filter((f) => f.path.startsWith(`${dir}/`) && !f.path.slice(dir.length + 1).includes('/') && f.path.endsWith('.yaml'));
      expect(new Set(resources.map((f) => f.path)).size).toBe(resources.length);
      expect([...resources.map((f) => f.path)].sort()).toEqual(resources.map((f) => f.path));
      const kustomization = parse(files.find((f) => f.path === `${dir}/Kustomization`)!.text);
      expect(kustomization.resources).toEqual(resources.map((f) => f.path.slice(dir.length + 1)));
    }
    const all = files.filter((f) => /^dev\/(setup\/)?[^/]+\.yaml$/.test(f.path));
    expect(all.length).toBe(objects.length);
    expect(files.find((f) => f.path.startsWith('dev/setup/'))!.path).toBe('dev/setup/000-namespace-monitoring.yaml');
  });

  test('Argo CD Application and Flux Kustomization per environment; Namespace and RBAC sync before workloads', () => {
    const files = renderAll({
      root: ROOT, environments: ['prod'],
      configFile: configWith((d) => {
        d.defaults.gitops.argoCd = { repoUrl: 'https://git.example.com/nanoe/monitoring.git', revision: 'main', project: 'default', namespace: 'argocd' };
        d.defaults.gitops.flux = { gitRepository: 'nanoe-monitoring', namespace: 'flux-system', interval: '5m' };
      }),
    });
    const docsOf = (path: string) => files.find((f) => f.path === path)!.text.split('\n---\n').map((t) => parse(t));
    const [setupApp, app] = docsOf('gitops/argocd-prod.yaml');
    expect(setupApp).toMatchObject({ kind: 'Application', spec: { source: { path: 'dist/prod/setup' }, syncPolicy: { automated: { prune: false, selfHeal: true } } } });
    expect(app).toMatchObject({ kind: 'Application', spec: { source: { path: 'dist/prod' }, syncPolicy: { automated: { prune: true, selfHeal: true } } } });
    const [setupFlux, flux] = docsOf('gitops/flux-prod.yaml');
    expect(setupFlux).toMatchObject({ kind: 'Kustomization', spec: { path: './dist/prod/setup', prune: false, wait: false } });
    expect(flux).toMatchObject({ kind: 'Kustomization', spec: { path: './dist/prod', prune: true, wait: true, dependsOn: [{ name: 'nanoe-monitoring-prod-setup' }], sourceRef: { kind: 'GitRepository', name: 'nanoe-monitoring' } } });
    const docs = [...docsOf('prod/nanoe-monitoring.k8s.yaml'), ...docsOf('prod/setup/setup.yaml')];
    const wave = (kind: string) => Number(docs.find((o) => o.kind === kind).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('Namespace')).toBeLessThan(wave('Role'));
    expect(wave('Role')).toBeLessThan(wave('StatefulSet'));
  });

  test('the same input gives byte-identical files, and moving the stack in the construct tree changes nothing', () => {
    const a = renderAll({ root: ROOT });
    const b = renderAll({ root: ROOT });
    expect(b).toEqual(a);
    const [dev] = buildDefault();
    const moved = new MonitoringStack(new Construct(new App(), 'SomewhereElse'), 'nanoe-monitoring', {
      config: dev.config, rules: ruleFilesFor(ROOT, dev.config), dashboards: dashboardsFrom(ROOT),
      backendManifests: readdirSync(join(ROOT, 'backend')).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(ROOT, 'backend', f)),
    });
    expect(moved.toJson()).toEqual(dev.stack.toJson());
  });

  test('the synth program writes identical bytes twice, and a bad config writes nothing', () => {
    const build = spawnSync('node', ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status).toBe(0);
    const out1 = mkdtempSync(join(tmpdir(), 'nanoe-dist-'));
    const out2 = mkdtempSync(join(tmpdir(), 'nanoe-dist-'));
    for (const out of [out1, out2]) expect(spawnSync('node', ['build/main.js', '--out', out], { cwd: ROOT, encoding: 'utf8' }).status).toBe(0);
    for (const env of ['dev', 'prod']) {
      expect(readFileSync(join(out2, env, 'nanoe-monitoring.k8s.yaml'))).toEqual(readFileSync(join(out1, env, 'nanoe-monitoring.k8s.yaml')));
    }
    const before = readFileSync(join(out1, 'dev', 'nanoe-monitoring.k8s.yaml'));
    const bad = configWith((d) => { d.environments.prod.prometheus.retentionSize = '500GB'; });
    const r = spawnSync('node', ['build/main.js', '--config', bad, '--out', out1], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/configuration error: environments\.prod\.prometheus\.retentionSize: "500GB"[^\n]*\nNothing was written\./);
    expect(r.stderr).not.toMatch(/\n\s+at \S+ \(/); // a message, not a stack trace
    expect(readFileSync(join(out1, 'dev', 'nanoe-monitoring.k8s.yaml'))).toEqual(before);
    expect(existsSync(`${out1}.staging`)).toBe(false);
  });

  test('ConfigError carries field, value and fix separately for tools', () => {
    const e = new ConfigError('a.b', 'x', 'is wrong', 'fix it');
    expect([e.field, e.value, e.fix, e.message]).toEqual(['a.b', 'x', 'fix it', 'a.b: "x" is wrong — fix it']);
  });
});

describe('the restore command', () => {
  test('prints a restore Job for the chosen backup that validates, and refuses a bad component', () => {
    expect(spawnSync('node', ['scripts/build.mjs'], { cwd: ROOT }).status).toBe(0);
    const r = spawnSync('node', ['build/main.js', 'restore', '--env', 'prod', '--component', 'grafana', '--backup', '20261124T021500Z'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const job = parse(r.stdout);
    expect([job.kind, job.metadata.name, job.metadata.namespace]).toEqual(['Job', 'restore-grafana-20261124t021500z', 'monitoring']);
    expect(validateK8sObject(job, '1.31.0')).toEqual([]);
    const bad = spawnSync('node', ['build/main.js', 'restore', '--env', 'prod', '--component', 'loki', '--backup', 'latest'], { cwd: ROOT, encoding: 'utf8' });
    expect([bad.status, bad.stdout]).toEqual([1, '']);
    expect(bad.stderr).toMatch(/restore --component: "loki" is not a component with backups — use prometheus or grafana/);
  });
});

/**
 * Issue 16, the node agents: node-exporter behind basic auth on the node's IP (before: no auth, any
 * pod could read it and use up its concurrent requests), cAdvisor without the host's `/` (before:
 * root with `/` mounted), and the kubelet's built-in cAdvisor as the source of the container metrics
 * (no DaemonSet, no path to it, one scrape job on the kubelet). Each test fails on the output before.
 */
import { parse } from 'yaml';
import { buildAllVariants, find, K8sObject, podSpecOf } from './support/app';

const variants = buildAllVariants();
const prometheusYml = (objects: K8sObject[]): any => parse(find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
const job = (objects: K8sObject[], name: string): any => prometheusYml(objects).scrape_configs.find((j: any) => j.job_name === name);
const hasDaemonSet = (objects: K8sObject[], name: string) => objects.some((o) => o.kind === 'DaemonSet' && o.metadata.name === name);

describe('node-exporter asks every client for basic auth', () => {
  test.each(variants.map((v) => [v.label, v.objects] as const))('%s', (_l, objects) => {
    const spec = podSpecOf(find(objects, 'DaemonSet', 'node-exporter'));
    const c = spec.containers[0];
    expect(c.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
    expect(c.volumeMounts).toContainEqual({ name: 'web-auth', mountPath: '/etc/web-auth', readOnly: true });
    // Only the hash reaches the node agents' namespace, readable by node-exporter's group only.
    expect(spec.volumes.find((v: any) => v.name === 'web-auth')).toEqual({
      name: 'web-auth', secret: { secretName: 'node-exporter-web-auth', items: [{ key: 'web-config.yml', path: 'web-config.yml' }], defaultMode: 0o440 },
    });
    expect(spec.securityContext.fsGroup).toBe(c.securityContext.runAsUser);
    // Probes without credentials: TCP.
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe).toEqual(expect.objectContaining({ tcpSocket: { port: 'metrics' } }));
    // Prometheus sends the password from a file of the same Secret in its own namespace (key `password` only).
    expect(job(objects, 'node-exporter').basic_auth).toEqual({ username: 'nanoe', password_file: '/etc/prometheus/secrets/node-exporter-web-auth/password' });
    const prom = podSpecOf(find(objects, 'StatefulSet', 'prometheus'));
    expect(prom.volumes.find((v: any) => v.name === 'secret-node-exporter-web-auth')?.secret).toEqual({
      secretName: 'node-exporter-web-auth', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440,
    });
  });
});

describe('the cAdvisor DaemonSet never mounts the host root', () => {
  const withDaemonSet = variants.filter((v) => hasDaemonSet(v.objects, 'cadvisor'));
  test('is in the variants with cadvisor.source daemonset', () => expect(withDaemonSet.map((v) => v.label)).toEqual(['dev', 'dev+all-options', 'prod+all-options']));

  test.each(withDaemonSet.map((v) => [v.label, v.objects] as const))('%s: host paths read-only, none of them / or /var/run', (_l, objects) => {
    const spec = podSpecOf(find(objects, 'DaemonSet', 'cadvisor'));
    const hostPaths = spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path);
    expect(hostPaths).toEqual(['/sys', '/sys/fs/cgroup', '/run/containerd', '/dev/disk']);
    for (const m of spec.containers[0].volumeMounts) expect(m).toEqual(expect.objectContaining({ readOnly: true }));
  });
});

describe('cadvisor.source kubelet (prod)', () => {
  const prod = variants.find((v) => v.label === 'prod')!.objects;

  test('no cAdvisor pod, Service or NetworkPolicy', () => {
    const named = prod.filter((o) => o.metadata.name.startsWith('cadvisor')).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(named).toEqual([]);
    // No policy selects or allows cAdvisor pods (the kubelet path is Prometheus → node CIDR:10250).
    const specs = JSON.stringify(prod.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec));
    expect(specs).not.toContain('cadvisor');
  });

  test('one job `cadvisor` on every kubelet: /metrics/cadvisor over verified HTTPS with the service account token, cAdvisor families only', () => {
    const j = job(prod, 'cadvisor');
    expect(j).toEqual(expect.objectContaining({
      scheme: 'https', metrics_path: '/metrics/cadvisor', kubernetes_sd_configs: [{ role: 'node' }],
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
      honor_labels: false, sample_limit: 50_000, body_size_limit: '32MB',
    }));
    // The kubelet labels namespace/pod/container itself: no label mapping, only the name filter.
    expect(j.metric_relabel_configs.slice(1)).toEqual([
      { source_labels: ['__name__'], regex: 'container_.+|machine_.+', action: 'keep' },
      { source_labels: ['__name__'], regex: 'container_file_descriptors|container_processes|container_sockets|container_threads|container_threads_max|container_ulimits_soft', action: 'drop' },
    ]);
    expect(j.relabel_configs).toEqual(job(prod, 'kubelet').relabel_configs);
  });

  test('the kubelet RBAC stays get nodes/metrics and list/watch nodes, nothing more', () => {
    const role = find(prod, 'ClusterRole', 'nanoe-monitoring-prometheus-kubelet-monitoring');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
  });
});

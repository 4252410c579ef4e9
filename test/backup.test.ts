/**
 * Backup and restore (issue 5): the manifests. No daemon is needed here; the scripts of backup/ run
 * for real against Prometheus, node-exporter and SQLite in test/e2e/backup.e2e.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Backups } from '../lib/components/backup';
import { BackupConfig, checkBackupConfig, DEFAULT_BACKUP_IMAGES } from '../lib/config/backup';
import { BACKUP_SCRIPT_FILES, BACKUP_SCRIPTS_DIR, S3_SCRIPT, S3_SCRIPT_KEY } from '../lib/content/backup-scripts';
import { ConfigError } from '../lib/config/errors';
import { selectorLabels } from '../lib/wiring/labels';
import { NetworkPolicies } from '../lib/components/network-policies';
import { restoreJob, restoreJobYaml } from '../lib/components/restore-job';
import { Wiring } from '../lib/wiring/wiring';
import { validateK8sObject } from './support/k8s-schema';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };
/** The pod spec of a CronJob, Job or other workload. */
const podSpecOf = (o: K8sObject): any => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

const NS = 'monitoring';
const CONFIG: BackupConfig = {
  enabled: true,
  schedule: '15 2 * * *',
  keep: 3,
  storage: { prometheus: '80Gi', grafana: '2Gi' },
  storageClass: null,
  s3: null,
  images: DEFAULT_BACKUP_IMAGES,
};
const S3 = {
  endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'nanoe-monitoring-backups', region: 'eu-central-1',
  credentialsSecret: 'backup-s3-credentials', egressCidr: '52.219.0.0/16',
};

/** The Backups construct next to stand-ins for the Prometheus and Grafana workloads, with the NetworkPolicies. */
function synth(config: BackupConfig): K8sObject[] {
  const chart = new Chart(Testing.app(), 'c');
  const wiring = new Wiring();
  const prometheus = wiring.addWorkload({ id: 'prometheus', namespace: NS, podLabels: selectorLabels('prometheus'), owned: true, ports: [{ name: 'web', port: 9090 }] });
  const grafana = wiring.addWorkload({ id: 'grafana', namespace: NS, podLabels: selectorLabels('grafana'), owned: true, ports: [{ name: 'http', port: 3000 }] });
  new Backups(chart, 'Backups', { namespace: NS, wiring, config, prometheus: { workload: prometheus, portName: 'web' }, grafana: { workload: grafana, portName: 'http' } });
  new NetworkPolicies(chart, 'NetworkPolicies', { wiring, nodeCidr: '10.0.0.0/8' });
  return chart.toJson() as K8sObject[];
}
const get = (objs: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}; have ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const envOf = (c: any): Record<string, any> => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const allContainers = (o: K8sObject): any[] => [...(podSpecOf(o).initContainers ?? []), ...podSpecOf(o).containers];
const schemaErrors = (objs: K8sObject[]) => objs.flatMap((o) => [...validateK8sObject(o, '1.27.0'), ...validateK8sObject(o, '1.31.0')]);

describe('Backups construct', () => {
  const objs = synth(CONFIG);
  const promCron = get(objs, 'CronJob', 'prometheus-backup');
  const grafanaCron = get(objs, 'CronJob', 'grafana-backup');

  test('every object validates against the Kubernetes 1.27 and 1.31 schemas, with and without S3', () => {
    expect(schemaErrors(objs)).toEqual([]);
    expect(schemaErrors(synth({ ...CONFIG, s3: S3 }))).toEqual([]);
  });

  test('the ConfigMap carries the files of backup/ byte for byte, and the S3 script', () => {
    const cm = get(objs, 'ConfigMap', 'monitoring-backup-scripts');
    for (const f of BACKUP_SCRIPT_FILES) expect(cm.data[f]).toBe(fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, f), 'utf8'));
    expect(cm.data[S3_SCRIPT_KEY]).toBe(S3_SCRIPT);
    expect(Object.keys(cm.data).sort()).toEqual([...BACKUP_SCRIPT_FILES, S3_SCRIPT_KEY].sort());
  });

  test('one backup volume per component, sized from the config', () => {
    const pvcs = objs.filter((o) => o.kind === 'PersistentVolumeClaim');
    expect(pvcs.map((p) => [p.metadata.name, p.spec.resources.requests.storage, p.spec.accessModes])).toEqual([
      ['monitoring-backups-prometheus', '80Gi', ['ReadWriteOnce']],
      ['monitoring-backups-grafana', '2Gi', ['ReadWriteOnce']],
    ]);
    const withClass = synth({ ...CONFIG, storageClass: 'fast' }).filter((o) => o.kind === 'PersistentVolumeClaim');
    expect(withClass.map((p) => p.spec.storageClassName)).toEqual(['fast', 'fast']);
  });

  test('CronJobs: schedule in UTC, never two at once, bounded, no token, restricted, pinned', () => {
    for (const [cron, uid] of [[promCron, 10090], [grafanaCron, 472]] as const) {
      expect(cron.spec).toMatchObject({ schedule: '15 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600 });
      expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      const pod = podSpecOf(cron);
      expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsUser: uid, fsGroup: uid, runAsNonRoot: true } });
      for (const c of allContainers(cron)) {
        expect(c.image).toMatch(/:[\w.-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.securityContext).toMatchObject({ runAsUser: uid, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(c.resources.limits.memory).toBeTruthy();
      }
    }
  });

  test('the Prometheus job snapshots replica 0 by its stable DNS name and runs on that pod\'s node with its data volume', () => {
    const pod = podSpecOf(promCron);
    const [c] = pod.containers;
    expect(c.image).toBe(DEFAULT_BACKUP_IMAGES.curl);
    expect(c.command).toEqual(['/bin/sh', '/scripts/prometheus-backup.sh']);
    expect(envOf(c)).toMatchObject({
      PROMETHEUS_URL: 'http://prometheus-0.prometheus-metrics.monitoring.svc:9090', DATA_DIR: '/prometheus', BACKUP_DIR: '/backups', KEEP: '3',
    });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { ...selectorLabels('prometheus'), 'statefulset.kubernetes.io/pod-name': 'prometheus-0' } },
    }]);
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'prometheus-data-prometheus-0' } });
    expect(pod.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'monitoring-backups-prometheus' } });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/prometheus' });
    // Every variable the CronJob sets is one the script reads.
    const script = fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, 'prometheus-backup.sh'), 'utf8');
    for (const name of Object.keys(envOf(c))) if (name !== 'TMPDIR') expect([name, script.includes(`\${${name}`)]).toEqual([name, true]);
  });

  test('when Prometheus asks for basic auth, the job gets the username and the password as a file from the Secret', () => {
    const chart = new Chart(Testing.app(), 'c');
    const wiring = new Wiring();
    const prometheus = wiring.addWorkload({ id: 'prometheus', namespace: NS, podLabels: selectorLabels('prometheus'), owned: true, ports: [{ name: 'web', port: 9090 }] });
    const grafana = wiring.addWorkload({ id: 'grafana', namespace: NS, podLabels: selectorLabels('grafana'), owned: true, ports: [{ name: 'http', port: 3000 }] });
    new Backups(chart, 'Backups', {
      namespace: NS, wiring, config: CONFIG, grafana: { workload: grafana, portName: 'http' },
      prometheus: { workload: prometheus, portName: 'web', basicAuth: { username: 'nanoe', passwordSecret: 'prometheus-web-auth' } },
    });
    const cron = get(chart.toJson() as K8sObject[], 'CronJob', 'prometheus-backup');
    expect(schemaErrors([cron])).toEqual([]);
    expect(envOf(podSpecOf(cron).containers[0])).toMatchObject({
      PROMETHEUS_USERNAME: 'nanoe', PROMETHEUS_PASSWORD_FILE: '/etc/prometheus-password/password',
    });
  });

  test('the Grafana job uses the SQLite image on Grafana\'s node with grafana-data', () => {
    const pod = podSpecOf(grafanaCron);
    const [c] = pod.containers;
    expect(c.image).toBe(DEFAULT_BACKUP_IMAGES.python);
    expect(c.command).toEqual(['/bin/sh', '/scripts/grafana-backup.sh']);
    expect(envOf(c)).toMatchObject({ DB_PATH: '/var/lib/grafana/grafana.db', BACKUP_DIR: '/backups', KEEP: '3' });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels).toEqual(selectorLabels('grafana'));
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    const script = fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, 'grafana-backup.sh'), 'utf8');
    for (const name of Object.keys(envOf(c))) if (name !== 'TMPDIR') expect([name, script.includes(`\${${name}`)]).toEqual([name, true]);
  });

  test('NetworkPolicies: the backup pods reach Prometheus\'s web port and nothing else; Prometheus admits them', () => {
    const own = get(objs, 'NetworkPolicy', 'prometheus-backup');
    expect(own.spec.podSelector.matchLabels).toEqual(selectorLabels('prometheus-backup'));
    expect(own.spec.ingress).toEqual([]);
    expect(own.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: selectorLabels('prometheus') } }],
      ports: [{ protocol: 'TCP', port: 'web' }],
    }]);
    const prom = get(objs, 'NetworkPolicy', 'prometheus');
    expect(prom.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: selectorLabels('prometheus-backup') } }],
      ports: [{ protocol: 'TCP', port: 'web' }],
    });
    // The job pods carry those labels; Prometheus's own selector does not match them.
    expect(podSpecOf(promCron) && promCron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(selectorLabels('prometheus-backup'));
    expect(get(objs, 'NetworkPolicy', 'grafana-backup').spec.egress.map((r: any) => r.ports)).toEqual([[{ protocol: 'TCP', port: 'http' }]]);
  });

  test('with S3: the backup runs first, then the upload with credentials only from the Secret, egress to the CIDR on the endpoint port', () => {
    const s3objs = synth({ ...CONFIG, s3: { ...S3, endpoint: 'https://minio.example.com:9000' } });
    for (const component of ['prometheus', 'grafana']) {
      const pod = podSpecOf(get(s3objs, 'CronJob', `${component}-backup`));
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['backup']);
      const [upload] = pod.containers;
      expect(upload.image).toBe(DEFAULT_BACKUP_IMAGES.awsCli);
      expect(upload.command).toEqual(['/bin/sh', '/scripts/s3.sh']);
      const env = envOf(upload);
      // The keys as a shared credentials file from the Secret, in this container only; none in any env.
      expect(env.AWS_SHARED_CREDENTIALS_FILE).toBe('/etc/aws/credentials');
      expect(upload.volumeMounts).toContainEqual({ name: 's3-credentials', mountPath: '/etc/aws', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 's3-credentials', secret: { secretName: 'backup-s3-credentials', items: [{ key: 'credentials', path: 'credentials' }], defaultMode: 0o440 } });
      for (const c of [...pod.initContainers, ...pod.containers]) {
        expect({ c: c.name, secretEnv: (c.env ?? []).filter((e: any) => e.valueFrom).map((e: any) => e.name) }).toEqual({ c: c.name, secretEnv: [] });
        if (c !== upload) expect((c.volumeMounts ?? []).map((m: any) => m.name)).not.toContain('s3-credentials');
      }
      expect(env).toMatchObject({ S3_ACTION: 'upload', COMPONENT: component, S3_ENDPOINT: 'https://minio.example.com:9000', S3_BUCKET: S3.bucket, AWS_DEFAULT_REGION: 'eu-central-1', KEEP: '3' });
      const policy = get(s3objs, 'NetworkPolicy', `${component}-backup`);
      expect(policy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '52.219.0.0/16' } }], ports: [{ protocol: 'TCP', port: 9000 }] });
    }
    const text = JSON.stringify(s3objs);
    expect(text).not.toMatch(/AKIA|secret-access-key"\s*,\s*"value"/);
  });

  test('disabled: nothing is rendered', () => {
    const off = synth({ ...CONFIG, enabled: false });
    expect(off.filter((o) => !(o.kind === 'NetworkPolicy'))).toEqual([]);
    expect(off.find((o) => o.metadata.name.includes('backup'))).toBeUndefined();
  });

  test('configuration mistakes are refused with the field named', () => {
    const bad = (patch: Record<string, unknown>) => () => checkBackupConfig({ ...CONFIG, ...patch } as BackupConfig, 'environments.prod.backup');
    expect(bad({ schedule: '15 2 * *' })).toThrow(/environments\.prod\.backup\.schedule.*4 fields/);
    expect(bad({ schedule: '61 2 * * *' })).toThrow(/minute, outside 0-59/);
    expect(bad({ schedule: 'TZ=UTC 15 2 * * *' })).toThrow(/time zone/);
    expect(bad({ keep: 0 })).toThrow(/backup\.keep/);
    expect(bad({ storage: { prometheus: '80 gigs', grafana: '1Gi' } })).toThrow(/storage\.prometheus/);
    expect(bad({ s3: { ...S3, endpoint: 'http://s3.example.com' } })).toThrow(/plain http/);
    expect(bad({ s3: { ...S3, secretAccessKey: 'x' } })).toThrow(/not a known field|literal credential/);
    expect(bad({ images: { ...DEFAULT_BACKUP_IMAGES, curl: 'curlimages/curl:latest' } })).toThrow(/images\.curl.*not pinned/);
    expect(bad({ retention: 3 })).toThrow(/retention.*not a known field/);
    for (const ok of ['*/30 * * * *', '0 3 * * sun', '0 0 1 jan-mar *', '@daily', '5,35 1-5/2 * * 1-5']) expect(bad({ schedule: ok })).not.toThrow();
    expect(() => synth({ ...CONFIG, keep: 0 })).toThrow(ConfigError);
  });
});

describe('restoreJob', () => {
  const cfg = { namespace: NS, backup: CONFIG };

  test('Prometheus: mounts the backup volume read-only and the replica\'s data volume, checks that Prometheus is down', () => {
    const job = restoreJob('prometheus', '20261124T101500Z', cfg) as K8sObject;
    expect(schemaErrors([job])).toEqual([]);
    expect(job.metadata).toMatchObject({ name: 'restore-prometheus-0-20261124t101500z', namespace: NS });
    const pod = podSpecOf(job);
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsUser: 10090, fsGroup: 10090 } });
    const [c] = pod.containers;
    expect(c.command).toEqual(['/bin/sh', '/scripts/prometheus-restore.sh']);
    expect(envOf(c)).toMatchObject({
      BACKUP_NAME: '20261124T101500Z', DATA_DIR: '/prometheus', BACKUP_DIR: '/backups',
      LIVE_CHECK_URL: 'http://prometheus-0.prometheus-metrics.monitoring.svc:9090/-/healthy',
    });
    expect(c.volumeMounts).toContainEqual({ name: 'backups', mountPath: '/backups', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/prometheus' });
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'prometheus-data-prometheus-0' } });
    expect(job.spec.template.metadata.labels).toMatchObject(selectorLabels('prometheus-backup'));
    const r1 = restoreJob('prometheus', 'latest', cfg, { replica: 1 }) as K8sObject;
    expect(podSpecOf(r1).volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'prometheus-data-prometheus-1' } });
    expect(r1.metadata.name).toBe('restore-prometheus-1-latest');
    const script = fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, 'prometheus-restore.sh'), 'utf8');
    for (const name of Object.keys(envOf(c))) if (name !== 'TMPDIR') expect([name, script.includes(`\${${name}`)]).toEqual([name, true]);
  });

  test('Grafana, from S3: the download runs first into the backup volume', () => {
    const job = restoreJob('grafana', '20261124T101500Z', { namespace: NS, backup: { ...CONFIG, s3: S3 } }, { fromS3: true }) as K8sObject;
    expect(schemaErrors([job])).toEqual([]);
    const pod = podSpecOf(job);
    expect(pod.initContainers.map((c: any) => [c.name, envOf(c).S3_ACTION, envOf(c).BACKUP_NAME])).toEqual([['download', 'download', '20261124T101500Z']]);
    expect(pod.volumes.filter((v: any) => v.secret).map((v: any) => [v.name, v.secret.items])).toEqual([['s3-credentials', [{ key: 'credentials', path: 'credentials' }]]]);
    expect(envOf(pod.containers[0])).toMatchObject({ DB_PATH: '/var/lib/grafana/grafana.db', LIVE_CHECK_URL: 'http://grafana-pods.monitoring.svc:3000/api/health' });
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    expect(restoreJobYaml('grafana', '20261124T101500Z', cfg)).toMatch(/^apiVersion: batch\/v1\nkind: Job\n/);
  });

  test('refuses what cannot be restored', () => {
    expect(() => restoreJob('prometheus', '2026-11-24', cfg)).toThrow(/restore --backup.*not a backup name/);
    expect(() => restoreJob('grafana', 'latest', cfg, { replica: 1 })).toThrow(/one replica/);
    expect(() => restoreJob('grafana', '20261124T101500Z', cfg, { fromS3: true })).toThrow(/no backup\.s3/);
    expect(() => restoreJob('prometheus', 'latest', { namespace: NS, backup: { ...CONFIG, s3: S3 } }, { fromS3: true })).toThrow(/latest/);
    expect(() => restoreJob('loki' as never, 'latest', cfg)).toThrow(/prometheus or grafana/);
  });
});


/**
 * Issue 16, node agents: the pinned node_exporter (1.11.1) started with exactly the arguments of the
 * dev DaemonSet — its `--web.config.file` pointing at a web config of the format the
 * `node-exporter-web-auth` Secret holds — answers 401 without or with a wrong password and 200 with
 * the right one; the pinned Prometheus scrapes it with the generated `node-exporter` job (its
 * `basic_auth.password_file`, limits and metric relabelling as generated), and a copy of that job
 * with the wrong password gets 401 (`up` 0). Changed for 127.0.0.1 only: the listen address, the
 * host paths (the host's own /proc, /sys, /), the Secret's mount folder, and the job's Kubernetes
 * discovery (a static target; the discovery relabelings have nothing to act on).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildEnvironments } from '../../lib/output/synth';
import { find, K8sObject, podSpecOf, ROOT } from '../support/app';
import { findBinary, HOST, httpRequest, makeTempDir, removeDir, startDaemon, startPrometheus, type Daemon, type PrometheusHandle } from './harness';

jest.setTimeout(90_000);

// bcrypt (cost 4) of PASSWORD, in the web config format of exporter-toolkit (docs/web-configuration.md):
// the same hash test/e2e/backup.e2e.test.ts uses for Prometheus's web config.
const PASSWORD = 'backup-test-pw';
const HASH = '$2b$04$SgHC8ZYGbwP6tGVrhMVYeeTlAEglqgH3CyNZTZFi6K7pWUFULN0i2';
const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });

const dev = buildEnvironments({ root: ROOT, environments: ['dev'] })[0];
const objects = dev.stack.toJson() as K8sObject[];
const spec = podSpecOf(find(objects, 'DaemonSet', 'node-exporter'));
const generatedJob = (dev.stack.prometheus.renderConfig().scrape_configs as any[]).find((j) => j.job_name === 'node-exporter');

let dir = '';
let exporter: Daemon | undefined;
let prometheus: PrometheusHandle | undefined;

/** The container's args for 127.0.0.1: host paths to the host's own, the Secret's folder to `dir`. */
function localArgs(port: number): string[] {
  const c = spec.containers[0];
  const mounts: [string, string][] = c.volumeMounts.map((m: any) => {
    const volume = spec.volumes.find((v: any) => v.name === m.name);
    return [m.mountPath, volume.hostPath ? volume.hostPath.path : dir];
  });
  return c.args.map((a: string) => {
    if (a.startsWith('--web.listen-address=')) return `--web.listen-address=${HOST}:${port}`;
    for (const [from, to] of mounts) if (a.includes(`=${from}`)) return a.replace(`=${from}`, `=${to}`).replace('//', '/');
    return a;
  });
}

beforeAll(async () => {
  dir = makeTempDir('node-exporter-auth');
  fs.writeFileSync(path.join(dir, 'web-config.yml'), `basic_auth_users:\n  nanoe: ${HASH}\n`);
  fs.writeFileSync(path.join(dir, 'password'), PASSWORD);
  fs.writeFileSync(path.join(dir, 'wrong-password'), 'not-the-password');
  exporter = await startDaemon({
    name: 'node-exporter (web config)',
    build: (port) => ({ name: 'node-exporter', command: findBinary('prometheus-node-exporter'), args: localArgs(port) }),
    // Ready = it answers at all (every path asks for the password).
    ready: async (port) => (await httpRequest(`http://${HOST}:${port}/metrics`)).status > 0,
  });
  const job = (name: string, passwordFile: string) => {
    const { kubernetes_sd_configs: _sd, relabel_configs: _rl, ...rest } = generatedJob;
    return { ...rest, job_name: name, basic_auth: { ...generatedJob.basic_auth, password_file: passwordFile }, static_configs: [{ targets: [`${HOST}:${exporter!.port}`] }] };
  };
  prometheus = await startPrometheus({
    config: {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [job('node-exporter', path.join(dir, 'password')), job('node-exporter-wrong-password', path.join(dir, 'wrong-password'))],
    },
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.proc.stop();
  if (dir) removeDir(dir);
});

test('the DaemonSet runs node-exporter with the web config of its Secret; the scrape job sends the password from a file', () => {
  expect(spec.containers[0].args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
  expect(generatedJob.basic_auth).toEqual({ username: 'nanoe', password_file: '/etc/prometheus/secrets/node-exporter-web-auth/password' });
});

test('node_exporter 1.11.1 answers 401 without or with a wrong password, 200 with the right one', async () => {
  const url = `http://${HOST}:${exporter!.port}/metrics`;
  expect((await httpRequest(url)).status).toBe(401);
  expect((await httpRequest(url, { headers: basic('nanoe', 'wrong') })).status).toBe(401);
  expect((await httpRequest(`http://${HOST}:${exporter!.port}/`)).status).toBe(401);
  const ok = await httpRequest(url, { headers: basic('nanoe', PASSWORD) });
  expect(ok.status).toBe(200);
  expect(ok.body).toMatch(/^node_exporter_build_info\{.*version="1\.11\.1"/m);
});

test('Prometheus scrapes it with the generated job; with the wrong password the target is down (401)', async () => {
  await prometheus!.waitFor('up{job="node-exporter"} == 1', undefined, 30_000);
  await prometheus!.waitFor('count({job="node-exporter", __name__=~"node_.+"}) > 0', undefined, 30_000);
  await prometheus!.waitFor('up{job="node-exporter-wrong-password"} == 0', undefined, 30_000);
  const wrong = (await prometheus!.targets()).find((t) => t.scrapePool === 'node-exporter-wrong-password');
  expect(wrong?.lastError).toMatch(/401/);
});

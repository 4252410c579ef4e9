/**
 * The example alertmanager.yml the README tells operators to start from: accepted by the pinned
 * amtool, routes each severity where its comments say, and every file it reads is one the rendered
 * Alertmanager pod mounts (all keys of the config Secret, under the config folder).
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { buildDefault, find, objectsOf, podSpecOf, ROOT } from './support/app';
import { pinnedBinary } from './support/pinned';

const EXAMPLE = join(ROOT, 'examples', 'alertmanager', 'alertmanager.yml');
const amtool = (...args: string[]) => spawnSync(pinnedBinary('amtool'), args, { encoding: 'utf8' });

test('the pinned amtool accepts it', () => {
  const r = amtool('check-config', EXAMPLE);
  expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
});

test.each([
  [['severity=critical', 'alertname=PostgresDown'], 'pager'],
  [['severity=warning', 'alertname=HighMemoryUsage'], 'chat'],
  [['alertname=SomethingNew'], 'chat'],
  [['alertname=Watchdog', 'severity=info'], 'deadmans-switch'],
  [['alertname=Watchdog', 'severity=critical'], 'deadmans-switch'],
])('%j is routed to %s', (labels, receiver) => {
  const r = amtool('config', 'routes', 'test', `--config.file=${EXAMPLE}`, ...labels);
  expect([r.status, r.stdout.trim()]).toEqual([0, receiver]);
});

test('every file it names is in the config Secret the Alertmanager pod mounts', () => {
  const [dev] = buildDefault();
  const spec = podSpecOf(find(objectsOf(dev), 'StatefulSet', 'alertmanager'));
  const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === 'config');
  const volume = spec.volumes.find((v: any) => v.name === 'config');
  expect(volume.secret.items).toBeUndefined(); // every key of the Secret, not only alertmanager.yml
  const files: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k.endsWith('_file') && typeof x === 'string' ? files.push(x) : walk(x));
  };
  walk(parse(readFileSync(EXAMPLE, 'utf8')));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(f.startsWith(`${mount.mountPath}/`)).toBe(true);
});

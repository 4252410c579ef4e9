/**
 * Backup and restore (issue 5): the scripts of backup/ run for real (the manifests: test/backup.test.ts).
 *
 * The scripts run exactly as the CronJob and the restore Job run them (same files, everything from
 * the environment), under dash, against the pinned Prometheus scraping a real node-exporter and a
 * SQLite database with a Grafana-like schema that is written to while it is backed up. Daemons are
 * on 127.0.0.1 and free ports, started and stopped here; every wait is bounded.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { BACKUP_SCRIPTS_DIR, S3_SCRIPT } from '../../lib/content/backup-scripts';
import {
  findBinary, HOST, httpJson, httpRequest, makeTempDir, removeDir, run, sleep, spawnProc, startDaemon, startNodeExporter, waitUntil,
  type ExporterHandle, type Proc,
} from './harness';

jest.setTimeout(120_000);

// ---------------------------------------------------------------------------------------------
// The scripts, for real.

const DASH = findBinary('dash');
/** A name that never resolves (RFC 2606 .invalid): what the restore sees once the pods are gone. */
const GONE_URL = 'http://pods-gone.nanoe-monitoring.invalid';
const script = (name: string) => path.join(BACKUP_SCRIPTS_DIR, name);
const BACKUP_NAME_RE = /^\d{8}T\d{6}Z$/;
const listBackups = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => BACKUP_NAME_RE.test(n)).sort() : []);

/**
 * The system's own tools first: the Grafana scripts run `python3` (backup/sqlite.py), and a Python
 * of the user's (pyenv shims) must not stand in for the Debian python3 the set-up installs.
 */
const SCRIPT_PATH = `/usr/bin:/bin:${process.env.PATH ?? ''}`;
/** Runs a backup/ script under dash with only the given environment (plus PATH), as the pod would. */
function runScript(name: string, env: Record<string, string>, allowFailure = false) {
  return run(DASH, [script(name)], { env: { PATH: SCRIPT_PATH, ...env }, timeoutMs: 60_000, allowFailure });
}

interface Prom { url: string; proc: Proc }

/** Prometheus on 127.0.0.1 on a data dir of our choosing, scraping node-exporter and itself every second. */
async function startPrometheusOn(dir: string, dataDir: string, nodeExporter: string, extraArgs: string[] = [], selfScrape = true): Promise<Prom> {
  const binary = findBinary('prometheus');
  const configPath = path.join(dir, 'prometheus.yml');
  const daemon = await startDaemon({
    name: 'prometheus',
    timeoutMs: 30_000,
    build: (port) => {
      fs.writeFileSync(configPath, [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        `  - { job_name: node, static_configs: [ { targets: ["${nodeExporter}"] } ] }`,
        ...(selfScrape ? [`  - { job_name: prometheus, static_configs: [ { targets: ["${HOST}:${port}"] } ] }`] : []),
        '',
      ].join('\n'));
      return {
        name: 'prometheus', command: binary, cwd: dir,
        args: [`--config.file=${configPath}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=${HOST}:${port}`, '--web.enable-admin-api', ...extraArgs],
      };
    },
    // 200 once the TSDB is loaded (503 before); with basic auth on, /-/ready answers 401 instead,
    // and that test waits for its first scrape with credentials.
    ready: async (port) => [200, 401].includes((await httpRequest(`http://${HOST}:${port}/-/ready`, { timeoutMs: 2000 })).status),
  });
  return { url: `http://${HOST}:${daemon.port}`, proc: daemon.proc };
}

interface ApiAnswer { status: string; data: { resultType: string; result: any[] } }
async function query(prom: Prom, expr: string, time: number): Promise<ApiAnswer['data']> {
  const res = await httpJson<ApiAnswer>(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time}`, { timeoutMs: 20_000 });
  if (res.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(res)}`);
  return res.data;
}
const scalarOf = (d: ApiAnswer['data']): number => (d.result.length ? Number(d.result[0].value[1]) : 0);
const byJob = (d: ApiAnswer['data']): Record<string, number> => Object.fromEntries(d.result.map((s: any) => [s.metric.job, Number(s.value[1])]).sort());

/**
 * What Prometheus holds at time T. Series: count({__name__=~".+"}), total and by job. Samples: every
 * raw sample of the hour before T, from the range-vector query itself (total, by job, and a sha256
 * of all series with their timestamps and values). `sum(count_over_time({__name__=~".+"}[1h]))` is
 * not usable: count_over_time drops the metric name, and Prometheus refuses the result ("vector
 * cannot contain metrics with the same labelset") as soon as two metrics share their other labels.
 * As a PromQL cross-check of the sample count: sum_over_time(scrape_samples_scraped[1h]).
 */
async function tsdbAt(prom: Prom, t: number) {
  const all = '{__name__=~".+"}';
  const raw = await query(prom, `${all}[1h]`, t);
  const lines = raw.result
    .map((s: any) => `${JSON.stringify(Object.fromEntries(Object.entries(s.metric).sort()))} ${s.values.map((v: [number, string]) => `${v[0]}=${v[1]}`).join(',')}`)
    .sort();
  const samplesByJob: Record<string, number> = {};
  for (const s of raw.result) samplesByJob[s.metric.job] = (samplesByJob[s.metric.job] ?? 0) + s.values.length;
  return {
    series: scalarOf(await query(prom, `count(${all})`, t)),
    seriesByJob: byJob(await query(prom, `count by (job) (${all})`, t)),
    samples: raw.result.reduce((n: number, s: any) => n + s.values.length, 0),
    samplesByJob: Object.fromEntries(Object.entries(samplesByJob).sort()),
    rangeSeries: raw.result.length,
    scrapedSamples: scalarOf(await query(prom, 'sum(sum_over_time(scrape_samples_scraped[1h]))', t)),
    rawDigest: createHash('sha256').update(lines.join('\n')).digest('hex'),
  };
}

describe('Prometheus: backup, destroy, restore', () => {
  let exporter: ExporterHandle | undefined;
  let prom: Prom | undefined;
  let dir = '';
  afterEach(async () => {
    await prom?.proc.stop();
    await exporter?.stop();
    prom = exporter = undefined;
    if (dir) removeDir(dir);
  });

  test('the counts at a fixed time T are equal after restoring into a destroyed data dir', async () => {
    const started = Date.now();
    dir = makeTempDir('backup-prometheus');
    const dataDir = path.join(dir, 'data');
    const backupDir = path.join(dir, 'backups');
    fs.mkdirSync(backupDir);
    exporter = await startNodeExporter();
    prom = await startPrometheusOn(dir, dataDir, exporter.address);
    const p = prom;
    await waitUntil(async () => {
      const t = await httpJson<any>(`${p.url}/api/v1/targets?state=active`);
      return t.data.activeTargets.length === 2 && t.data.activeTargets.every((x: any) => x.health === 'up');
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'both targets up' });
    await sleep(9_000); // ~9 scrapes of each target
    const T = Math.floor(Date.now() / 1000) - 3;
    const before = await tsdbAt(prom, T);
    expect(before.series).toBeGreaterThan(100);
    expect(before.samples).toBeGreaterThan(before.series);
    expect(Object.keys(before.seriesByJob)).toEqual(['node', 'prometheus']);
    expect(before.rangeSeries).toBe(before.series);
    expect(before.scrapedSamples).toBeGreaterThan(before.series);

    // Exactly as the CronJob runs it; three times with KEEP=2: two remain, the snapshots are gone.
    const env = { PROMETHEUS_URL: prom.url, DATA_DIR: dataDir, BACKUP_DIR: backupDir, KEEP: '2', SNAPSHOT_TIMEOUT: '60' };
    const runs: string[][] = [];
    const backupStarted = Date.now();
    for (let i = 0; i < 3; i++) {
      const r = await runScript('prometheus-backup.sh', env);
      expect(r.stderr).toMatch(/complete: \d+ blocks/);
      runs.push(listBackups(path.join(backupDir, 'prometheus')));
      expect(fs.readdirSync(path.join(dataDir, 'snapshots'))).toEqual([]);
    }
    const backupMs = (Date.now() - backupStarted) / 3;
    expect(runs.map((r) => r.length)).toEqual([1, 2, 2]);
    expect(runs[2]).not.toContain(runs[0][0]); // the oldest was pruned
    expect(runs[2][0]).toBe(runs[1][1]);
    const name = runs[2][1];
    const info = fs.readFileSync(path.join(backupDir, 'prometheus', name, 'BACKUP-INFO'), 'utf8');
    expect(info).toContain(`name=${name}`);

    // The restore refuses while Prometheus answers, and changes nothing.
    const dataBefore = fs.readdirSync(dataDir).sort();
    const refused = await runScript('prometheus-restore.sh', { BACKUP_NAME: name, DATA_DIR: dataDir, BACKUP_DIR: backupDir, LIVE_CHECK_URL: `${prom.url}/-/healthy` }, true);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('still answers')]);
    expect(fs.readdirSync(dataDir).sort()).toEqual(dataBefore);

    await prom.proc.stop();
    const stoppedUrl = prom.url;
    prom = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true }); // the disaster
    fs.mkdirSync(dataDir); // a new, empty volume
    // Stopped but its port merely refuses: the restore cannot tell a stopped Prometheus from one
    // starting up, so it refuses too (fails closed) and changes nothing.
    const unsure = await runScript('prometheus-restore.sh', { BACKUP_NAME: name, DATA_DIR: dataDir, BACKUP_DIR: backupDir, LIVE_CHECK_URL: `${stoppedUrl}/-/healthy` }, true);
    expect([unsure.code, unsure.stderr]).toEqual([1, expect.stringContaining('cannot tell whether Prometheus is stopped')]);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    // A replica replaying its WAL answers 503 until it is ready: running, so the restore refuses.
    const replaying = http.createServer((_q, r) => { r.statusCode = 503; r.end('Service Unavailable'); });
    await new Promise<void>((res) => replaying.listen(0, HOST, res));
    try {
      const replayUrl = `http://${HOST}:${(replaying.address() as { port: number }).port}/-/healthy`;
      const busy = await runScript('prometheus-restore.sh', { BACKUP_NAME: name, DATA_DIR: dataDir, BACKUP_DIR: backupDir, LIVE_CHECK_URL: replayUrl }, true);
      expect([busy.code, busy.stderr]).toEqual([1, expect.stringContaining('Prometheus still answers')]);
    } finally {
      await new Promise<void>((res) => replaying.close(() => res()));
    }
    // Gone: its name no longer resolves (in a cluster, the governing Service publishes a pod's name
    // for as long as the pod exists; the .invalid name stands for "no such pod" here).
    const restoreStarted = Date.now();
    const restored = await runScript('prometheus-restore.sh', { BACKUP_NAME: name, DATA_DIR: dataDir, BACKUP_DIR: backupDir, LIVE_CHECK_URL: `${GONE_URL}:9090/-/healthy` });
    const restoreMs = Date.now() - restoreStarted;
    expect(restored.stderr).toMatch(/restored backup .* files verified/);

    prom = await startPrometheusOn(dir, dataDir, exporter.address); // scrapes again: nothing at or before T changes
    const after = await tsdbAt(prom, T);
    expect(after).toEqual(before);
    expect(after.series).toBeGreaterThan(0);
    expect(after.samples).toBeGreaterThan(0);
    console.log([
      `Prometheus backup/restore, compared at T=${new Date(T * 1000).toISOString()} (series: count({__name__=~".+"}); samples: raw samples of {__name__=~".+"}[1h]):`,
      `  before: ${before.series} series ${JSON.stringify(before.seriesByJob)}, ${before.samples} samples ${JSON.stringify(before.samplesByJob)}, sum_over_time(scrape_samples_scraped[1h]) ${before.scrapedSamples}, sha256 of all samples ${before.rawDigest.slice(0, 16)}`,
      `  after:  ${after.series} series ${JSON.stringify(after.seriesByJob)}, ${after.samples} samples ${JSON.stringify(after.samplesByJob)}, sum_over_time(scrape_samples_scraped[1h]) ${after.scrapedSamples}, sha256 of all samples ${after.rawDigest.slice(0, 16)}`,
      `  backup ${name}: ${info.trim().split('\n').join(', ')}; ~${Math.round(backupMs)} ms per backup run, restore ${restoreMs} ms; test ${Date.now() - started} ms`,
    ].join('\n'));
  });
});

describe('Prometheus with basic auth (exposed through an Ingress)', () => {
  let exporter: ExporterHandle | undefined;
  let prom: Prom | undefined;
  let dir = '';
  afterEach(async () => {
    await prom?.proc.stop();
    await exporter?.stop();
    prom = exporter = undefined;
    if (dir) removeDir(dir);
  });

  test('the backup authenticates without the password on a command line; the restore takes a 401 as "running"', async () => {
    dir = makeTempDir('backup-prometheus-auth');
    const dataDir = path.join(dir, 'data');
    const backupDir = path.join(dir, 'backups');
    fs.mkdirSync(backupDir);
    // bcrypt (cost 4) of "backup-test-pw", as in the web config the exposure Secret holds.
    const webConfig = path.join(dir, 'web.yml');
    fs.writeFileSync(webConfig, 'basic_auth_users:\n  nanoe: $2b$04$SgHC8ZYGbwP6tGVrhMVYeeTlAEglqgH3CyNZTZFi6K7pWUFULN0i2\n');
    exporter = await startNodeExporter();
    prom = await startPrometheusOn(dir, dataDir, exporter.address, [`--web.config.file=${webConfig}`], false);
    const p = prom;
    const auth = `Basic ${Buffer.from('nanoe:backup-test-pw').toString('base64')}`;
    expect((await httpRequest(`${p.url}/-/healthy`)).status).toBe(401);
    await waitUntil(async () => {
      const res = await httpRequest(`${p.url}/api/v1/query?query=up`, { headers: { authorization: auth } });
      return res.status === 200 && JSON.parse(res.body).data.result.length === 1;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'the first scrape' });

    const env = { PROMETHEUS_URL: prom.url, DATA_DIR: dataDir, BACKUP_DIR: backupDir, KEEP: '2' };
    const denied = await runScript('prometheus-backup.sh', env, true);
    expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('HTTP 401')]);
    const ok = await runScript('prometheus-backup.sh', { ...env, PROMETHEUS_USERNAME: 'nanoe', PROMETHEUS_PASSWORD: 'backup-test-pw' });
    expect(ok.stderr).toMatch(/complete: 1 blocks/);
    const [name] = listBackups(path.join(backupDir, 'prometheus'));
    const refused = await runScript('prometheus-restore.sh', { BACKUP_NAME: name, DATA_DIR: dataDir, BACKUP_DIR: backupDir, LIVE_CHECK_URL: `${prom.url}/-/healthy` }, true);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('still answers')]);
  });
});

// ---------------------------------------------------------------------------------------------
// Grafana's SQLite database

const SQLITE = findBinary('sqlite3');
const sql = async (db: string, text: string): Promise<string> => (await run(SQLITE, ['-bail', '-cmd', '.timeout 5000', db], { input: text, timeoutMs: 30_000 })).stdout.trim();

const SCHEMA = `
CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL UNIQUE, email TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dashboard (id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL UNIQUE, title TEXT NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, created_by INTEGER NOT NULL REFERENCES user(id));
CREATE TABLE dashboard_version (id INTEGER PRIMARY KEY AUTOINCREMENT, dashboard_id INTEGER NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE stats (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE INDEX dashboard_version_dashboard ON dashboard_version (dashboard_id);
INSERT INTO user (login, email, is_admin) VALUES ('admin', 'admin@example.com', 1), ('alice', 'alice@example.com', 0), ('bob', 'bob@example.com', 0);
INSERT INTO stats VALUES ('dashboards', 0);
`;
/** 3000 dashboards of ~1.2 kB, each with its first version, in one transaction. */
const SEED = `BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO dashboard (uid, title, data, version, created_by) SELECT 'd' || i, 'Dashboard ' || i, '{"panels":"' || hex(randomblob(600)) || '"}', 1, 1 + (i - 1) % 3 FROM n;
INSERT INTO dashboard_version (dashboard_id, version, data) SELECT id, version, data FROM dashboard;
UPDATE stats SET v = 3000 WHERE k = 'dashboards';
COMMIT;`;
/** One Grafana-like transaction: a dashboard, its first version and the counter, all or nothing. */
const WRITE = `BEGIN IMMEDIATE;
INSERT INTO dashboard (uid, title, data, version, created_by) SELECT 'd' || (v + 1), 'Dashboard ' || (v + 1), '{"panels":"' || hex(randomblob(600)) || '"}', 1, 1 + (v % 3) FROM stats WHERE k = 'dashboards';
INSERT INTO dashboard_version (dashboard_id, version, data) SELECT id, version, data FROM dashboard WHERE id = last_insert_rowid();
UPDATE stats SET v = v + 1 WHERE k = 'dashboards';
COMMIT;`;

/** Row counts, the transaction invariant and a digest of the rows with id <= upTo (all rows by default). */
async function dbState(db: string, upTo = 1e12) {
  const [dashboards, versions, counter, users, maxId] = (await sql(db, `SELECT (SELECT count(*) FROM dashboard), (SELECT count(*) FROM dashboard_version), (SELECT v FROM stats WHERE k = 'dashboards'), (SELECT count(*) FROM user), (SELECT max(id) FROM dashboard);`)).split('|').map(Number);
  const rows = await sql(db, `SELECT id, uid, title, data, version, created_by FROM dashboard WHERE id <= ${upTo} ORDER BY id; SELECT dashboard_id, version, data FROM dashboard_version WHERE dashboard_id <= ${upTo} ORDER BY dashboard_id; SELECT * FROM user ORDER BY id;`);
  return { dashboards, versions, counter, users, maxId, digest: createHash('sha256').update(rows).digest('hex') };
}

describe.each(['delete', 'wal'])('Grafana (SQLite journal_mode=%s): online backup, delete, restore', (journal) => {
  let writer: Proc | undefined;
  let fakeGrafana: http.Server | undefined;
  let dir = '';
  afterEach(async () => {
    await writer?.stop();
    writer = undefined;
    await new Promise<void>((r) => (fakeGrafana ? fakeGrafana.close(() => r()) : r()));
    fakeGrafana = undefined;
    if (dir) removeDir(dir);
  });

  test('the restored database equals the backup, which is one consistent instant taken while writes went on', async () => {
    const started = Date.now();
    dir = makeTempDir('backup-grafana');
    const dataDir = path.join(dir, 'grafana');
    const backupDir = path.join(dir, 'backups');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    const db = path.join(dataDir, 'grafana.db');
    await sql(db, `PRAGMA journal_mode = ${journal};\n${SCHEMA}\n${SEED}`);
    const initial = await dbState(db);
    expect([initial.dashboards, initial.versions, initial.counter, initial.users]).toEqual([3000, 3000, 3000, 3]);
    expect(fs.statSync(db).size).toBeGreaterThan(6_000_000); // thousands of pages: the copy takes many backup steps

    // A writer in another process, one transaction after another (bounded: 3000 or until told to stop).
    const stopFile = path.join(dir, 'stop-writer');
    const writeFile = path.join(dir, 'write.sql');
    fs.writeFileSync(writeFile, WRITE);
    writer = spawnProc({
      name: 'sqlite-writer', command: DASH, cwd: dir,
      args: ['-c', `i=0; while [ $i -lt 3000 ] && [ ! -e "${stopFile}" ]; do "${SQLITE}" -bail -cmd '.timeout 5000' "${db}" < "${writeFile}" || exit 1; i=$((i + 1)); done`],
    });
    await waitUntil(async () => (await dbState(db)).counter >= initial.counter + 20, { timeoutMs: 20_000, intervalMs: 50, what: 'the writer to commit' });

    const env = { DB_PATH: db, BACKUP_DIR: backupDir, KEEP: '2' };
    const t0 = Date.now();
    const r = await runScript('grafana-backup.sh', env);
    const backupMs = Date.now() - t0;
    expect(r.stderr).toMatch(/complete: integrity ok/);
    const [name] = listBackups(path.join(backupDir, 'grafana'));
    const copy = path.join(backupDir, 'grafana', name, 'grafana.db');
    const atBackup = await dbState(copy);
    // Writes went on after the backup was taken, so it was taken online.
    await waitUntil(async () => (await dbState(db)).counter >= atBackup.counter + 20, { timeoutMs: 20_000, intervalMs: 50, what: 'writes after the backup' });
    fs.writeFileSync(stopFile, '');
    await waitUntil(() => writer!.exited, { timeoutMs: 20_000, what: 'the writer to stop' });
    expect(writer.exited).toEqual({ code: 0, signal: null }); // no write failed (the read lock is short)
    const final = await dbState(db);

    // The backup is one consistent instant: every transaction whole, exactly the source's first rows.
    expect(await sql(copy, 'PRAGMA integrity_check;')).toBe('ok');
    expect([atBackup.dashboards, atBackup.versions]).toEqual([atBackup.counter, atBackup.counter]);
    expect(atBackup.maxId).toBe(atBackup.counter);
    expect(atBackup.counter).toBeGreaterThan(initial.counter);
    expect(atBackup.counter).toBeLessThan(final.counter);
    expect((await dbState(copy, initial.maxId)).digest).toBe(initial.digest); // rows present before are unchanged
    expect((await dbState(db, atBackup.maxId)).digest).toBe(atBackup.digest); // equals the source as of that instant

    // A running Grafana (here one that answers 401) makes the restore refuse, without touching
    // anything; checked with curl, and with wget only (the python image has busybox wget, no curl).
    fakeGrafana = http.createServer((_q, s) => {
      s.statusCode = 401;
      s.end('{"message":"Unauthorized"}');
    });
    await new Promise<void>((res) => fakeGrafana!.listen(0, HOST, res));
    const liveUrl = `http://${HOST}:${(fakeGrafana.address() as { port: number }).port}/api/health`;
    const wgetOnly = path.join(dir, 'bin-wget-only');
    fs.mkdirSync(wgetOnly);
    for (const tool of ['date', 'sha256sum', 'dirname', 'rm', 'cp', 'mv', 'sed', 'cut', 'wget']) fs.symlinkSync(findBinary(tool), path.join(wgetOnly, tool));
    fs.symlinkSync('/usr/bin/python3', path.join(wgetOnly, 'python3')); // Debian's, as in SCRIPT_PATH
    for (const PATH of [undefined, wgetOnly]) {
      const refused = await runScript('grafana-restore.sh', { BACKUP_NAME: name, DB_PATH: db, BACKUP_DIR: backupDir, LIVE_CHECK_URL: liveUrl, ...(PATH ? { PATH } : {}) }, true);
      expect([PATH, refused.code, refused.stderr]).toEqual([PATH, 1, expect.stringContaining('still answers')]);
    }
    expect((await dbState(db)).digest).toBe(final.digest);
    await new Promise<void>((res) => fakeGrafana!.close(() => res()));
    fakeGrafana = undefined;

    // The disaster, then the restore.
    for (const f of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, f));
    // Anything the check cannot tell apart from a running Grafana stops the restore: a closed port
    // (a pod still starting), a server that never answers (timed out), with curl and with wget only.
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => { held.push(socket); });
    await new Promise<void>((res) => silent.listen(0, HOST, res));
    const silentUrl = `http://${HOST}:${(silent.address() as { port: number }).port}/api/health`;
    try {
      for (const url of [liveUrl, silentUrl]) {
        for (const PATH of [undefined, wgetOnly]) {
          const unsure = await runScript('grafana-restore.sh', { BACKUP_NAME: name, DB_PATH: db, BACKUP_DIR: backupDir, LIVE_CHECK_URL: url, LIVE_CHECK_TIMEOUT: '1', ...(PATH ? { PATH } : {}) }, true);
          expect([url, PATH, unsure.code, unsure.stderr]).toEqual([url, PATH, 1, expect.stringContaining('cannot tell whether Grafana is stopped')]);
        }
      }
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((res) => silent.close(() => res()));
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
    const restored = await runScript('grafana-restore.sh', { BACKUP_NAME: name, DB_PATH: db, BACKUP_DIR: backupDir, LIVE_CHECK_URL: `${GONE_URL}:3000/api/health` });
    expect(restored.stderr).toMatch(/restored backup .* integrity ok/);
    const after = await dbState(db);
    expect(after).toEqual(atBackup);
    expect(await sql(db, 'PRAGMA integrity_check;')).toBe('ok');
    expect(fs.readdirSync(dataDir).sort()).toEqual(['grafana.db']);

    // Pruning: two more runs with KEEP=2 leave the last two.
    const first = listBackups(path.join(backupDir, 'grafana'));
    await runScript('grafana-backup.sh', env);
    await runScript('grafana-backup.sh', env);
    const left = listBackups(path.join(backupDir, 'grafana'));
    expect(left.length).toBe(2);
    expect(left).not.toContain(first[0]);
    expect(fs.readdirSync(path.join(backupDir, 'grafana')).filter((n) => !BACKUP_NAME_RE.test(n))).toEqual([]);
    console.log([
      `Grafana (journal_mode=${journal}) backup ${name} taken in ${backupMs} ms while a writer committed ${final.counter - initial.counter} transactions:`,
      `  before the backup: ${initial.dashboards} dashboards; in the backup: ${atBackup.dashboards} dashboards / ${atBackup.versions} versions / counter ${atBackup.counter}; source at the end: ${final.counter}`,
      `  restored: ${after.dashboards} dashboards / ${after.versions} versions / ${after.users} users, rows sha256 ${after.digest.slice(0, 16)} = backup ${atBackup.digest.slice(0, 16)}; test ${Date.now() - started} ms`,
    ].join('\n'));
  });
});

// ---------------------------------------------------------------------------------------------
// The S3 half, against a stand-in for the AWS CLI that keeps the "bucket" in a local folder.

const FAKE_AWS = `#!/bin/sh
# Stand-in for "aws --endpoint-url URL s3 cp|ls|rm ..." over the folder $FAKE_S3_ROOT.
set -eu
echo "$*" >>"$FAKE_S3_ROOT/calls.log"
[ "$1" = --endpoint-url ] || { echo "no --endpoint-url" >&2; exit 2; }
[ "$3" = s3 ] || { echo "not s3" >&2; exit 2; }
cmd=$4
shift 4
recursive=0 exclude= src= dst=
while [ $# -gt 0 ]; do
  case $1 in
    --recursive) recursive=1 ;;
    --only-show-errors) ;;
    --exclude) exclude=$2; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) if [ -z "$src" ]; then src=$1; else dst=$1; fi ;;
  esac
  shift
done
map() { case $1 in s3://*) printf '%s/%s' "$FAKE_S3_ROOT" "\${1#s3://}" ;; *) printf '%s' "$1" ;; esac; }
case $cmd in
  cp)
    s=$(map "$src"); d=$(map "$dst")
    if [ "$recursive" = 1 ]; then
      [ -d "$s" ] || { echo "no such prefix $src" >&2; exit 1; }
      mkdir -p "$d"
      for f in "$s"/*; do
        [ -e "$f" ] || continue
        if [ -n "$exclude" ] && [ "\${f##*/}" = "$exclude" ]; then continue; fi
        cp -R "$f" "$d/"
      done
    else
      mkdir -p "$(dirname "$d")"; cp "$s" "$d"
    fi ;;
  ls)
    s=$(map "$src"); n=0
    for f in "$s"*; do
      [ -e "$f" ] || continue
      n=$((n + 1))
      if [ -d "$f" ]; then echo "                           PRE \${f##*/}/"; else echo "2026-11-24 10:15:00 1 \${f##*/}"; fi
    done
    [ "$n" -gt 0 ] ;;
  rm) [ "$recursive" = 1 ] || exit 2; rm -rf "$(map "$src")" ;;
  *) echo "unsupported: $cmd" >&2; exit 2 ;;
esac
`;

describe('s3.sh (S3 upload, remote pruning, download for a restore)', () => {
  let dir = '';
  afterEach(() => {
    if (dir) removeDir(dir);
  });

  test('uploads each new backup with BACKUP-INFO last, keeps KEEP in the bucket, and a downloaded backup restores', async () => {
    dir = makeTempDir('backup-s3');
    const bin = path.join(dir, 'bin');
    const bucketRoot = path.join(dir, 's3');
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(bucketRoot, 'bucket'), { recursive: true });
    fs.writeFileSync(path.join(bin, 'aws'), FAKE_AWS, { mode: 0o755 });
    const s3Script = path.join(dir, 's3.sh');
    fs.writeFileSync(s3Script, S3_SCRIPT);
    const dataDir = path.join(dir, 'grafana');
    const backupDir = path.join(dir, 'backups');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    const db = path.join(dataDir, 'grafana.db');
    await sql(db, SCHEMA + WRITE);
    const s3Env = {
      PATH: `${bin}:${SCRIPT_PATH}`, FAKE_S3_ROOT: bucketRoot, S3_ENDPOINT: 'https://s3.example.com', S3_BUCKET: 'bucket',
      COMPONENT: 'grafana', BACKUP_DIR: backupDir, KEEP: '2',
    };
    const uploaded: string[] = [];
    for (let i = 0; i < 3; i++) {
      await sql(db, WRITE);
      await runScript('grafana-backup.sh', { DB_PATH: db, BACKUP_DIR: backupDir, KEEP: '2' });
      await run(DASH, [s3Script], { env: { ...s3Env, S3_ACTION: 'upload' }, timeoutMs: 30_000 });
      uploaded.push(listBackups(path.join(backupDir, 'grafana')).pop()!);
    }
    const remote = listBackups(path.join(bucketRoot, 'bucket', 'grafana'));
    expect(remote).toEqual(uploaded.slice(1));
    const calls = fs.readFileSync(path.join(bucketRoot, 'calls.log'), 'utf8').trim().split('\n');
    const last = uploaded[2];
    const whole = calls.findIndex((c) => c.includes(`--recursive`) && c.includes(`grafana/${last}/`) && c.startsWith('--endpoint-url https://s3.example.com s3 cp'));
    const marker = calls.findIndex((c) => c.endsWith(`grafana/${last}/BACKUP-INFO`));
    expect(whole).toBeGreaterThanOrEqual(0);
    expect(marker).toBeGreaterThan(whole);
    expect(calls.some((c) => c.includes(`s3 rm --recursive --only-show-errors s3://bucket/grafana/${uploaded[0]}/`))).toBe(true);

    // An upload that failed half-way (no BACKUP-INFO) never counts toward KEEP: the next upload
    // removes it and still keeps two complete backups (counting it would have left one).
    const at = (name: string) => new Date(name.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const failed = new Date(at(uploaded[2]).getTime() + 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const failedDir = path.join(bucketRoot, 'bucket', 'grafana', failed);
    fs.mkdirSync(failedDir);
    fs.copyFileSync(path.join(backupDir, 'grafana', uploaded[2], 'grafana.db'), path.join(failedDir, 'grafana.db'));
    await sleep(2100); // the next backup is named after a later second than the failed one
    await sql(db, WRITE);
    await runScript('grafana-backup.sh', { DB_PATH: db, BACKUP_DIR: backupDir, KEEP: '2' });
    const upload4 = await run(DASH, [s3Script], { env: { ...s3Env, S3_ACTION: 'upload' }, timeoutMs: 30_000 });
    const fourth = listBackups(path.join(backupDir, 'grafana')).pop()!;
    expect(listBackups(path.join(bucketRoot, 'bucket', 'grafana'))).toEqual([uploaded[2], fourth]);
    expect(upload4.stderr).toContain(`removed the incomplete upload s3://bucket/grafana/${failed}/`);
    uploaded.push(fourth);

    // The backup volume is lost: download into a new one, then restore from it.
    const newVolume = path.join(dir, 'new-backups');
    fs.mkdirSync(newVolume);
    await run(DASH, [s3Script], { env: { ...s3Env, BACKUP_DIR: newVolume, S3_ACTION: 'download', BACKUP_NAME: uploaded[2] }, timeoutMs: 30_000 });
    const want = await dbState(path.join(backupDir, 'grafana', uploaded[2], 'grafana.db'));
    fs.rmSync(db);
    await runScript('grafana-restore.sh', { BACKUP_NAME: uploaded[2], DB_PATH: db, BACKUP_DIR: newVolume });
    expect(await dbState(db)).toEqual(want);
    const missing = await run(DASH, [s3Script], { env: { ...s3Env, BACKUP_DIR: newVolume, S3_ACTION: 'download', BACKUP_NAME: '20000101T000000Z' }, timeoutMs: 30_000, allowFailure: true });
    expect(missing.code).not.toBe(0);
  });
});

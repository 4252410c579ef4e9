// Synth never deletes what it did not write (issue 12): ownership markers, --env, --prune,
// cross-device output; messages a newcomer understands; no secret in the output.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { allOptions, configWith, ROOT } from './support/app';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const synth = (...args: string[]) => spawnSync(process.execPath, ['build/main.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? allFiles(join(dir, f)) : [join(dir, f)]));
}

beforeAll(() => {
  expect(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT }).status).toBe(0);
}, 60_000);

describe('synth never deletes what it did not write', () => {
  test('a folder without the marker is refused, named, and left as it is', () => {
    const out = tmp('nanoe-own-');
    mkdirSync(join(out, 'dev'));
    writeFileSync(join(out, 'dev', 'notes.md'), 'mine');
    const r = synth('--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(out, 'dev')} exists and was not written by nanoe-monitoring (it has no .nanoe-monitoring marker)`);
    expect(r.stderr).toMatch(/move it away or choose another --out/);
    expect(r.stderr).toMatch(/Nothing was written\./);
    expect(readdirSync(join(out, 'dev'))).toEqual(['notes.md']);
    expect(existsSync(join(out, 'prod'))).toBe(false);
  });

  test('`--out .` with an environment named like a project folder (docs) does not delete it', () => {
    const out = tmp('nanoe-docs-');
    mkdirSync(join(out, 'docs'));
    writeFileSync(join(out, 'docs', 'runbooks.md'), 'keep me');
    const config = configWith((d) => { d.environments = { docs: {} }; });
    const r = spawnSync(process.execPath, [join(ROOT, 'build/main.js'), '--config', config, '--out', '.'], { cwd: out, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/docs exists and was not written by nanoe-monitoring/);
    expect(readFileSync(join(out, 'docs', 'runbooks.md'), 'utf8')).toBe('keep me');
  });

  test('--env touches only the selected environment: gitops/argocd-dev.yaml and dist/dev stay', () => {
    const out = tmp('nanoe-env-');
    const config = configWith(allOptions);
    expect(synth('--config', config, '--out', out).status).toBe(0);
    const devBefore = readFileSync(join(out, 'gitops', 'argocd-dev.yaml'), 'utf8');
    const devFolder = statSync(join(out, 'dev')).ino;
    const r = synth('--config', config, '--out', out, '--env', 'prod');
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/synthesized .*prod, .*gitops/)]);
    expect(readFileSync(join(out, 'gitops', 'argocd-dev.yaml'), 'utf8')).toBe(devBefore);
    expect(readdirSync(join(out, 'gitops')).sort()).toEqual(['.nanoe-monitoring', 'argocd-dev.yaml', 'argocd-prod.yaml', 'flux-dev.yaml', 'flux-prod.yaml']);
    expect(statSync(join(out, 'dev')).ino).toBe(devFolder); // not even rewritten
  });

  test('a switched-off option removes its files; a removed environment stays until --prune', () => {
    const out = tmp('nanoe-prune-');
    const three = configWith((d) => { allOptions(d); d.environments.staging = {}; });
    expect(synth('--config', three, '--out', out).status).toBe(0);
    const two = configWith((d) => { d.defaults.gitops.argoCd = { repoUrl: 'https://git.example.com/m.git', revision: 'main', project: 'default', namespace: 'argocd' }; });
    const r = synth('--config', two, '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/note: .*staging holds files of "staging", no longer in the config; kept — run with --prune to remove them/);
    expect(readdirSync(join(out, 'gitops')).sort()).toEqual(['.nanoe-monitoring', 'argocd-dev.yaml', 'argocd-prod.yaml', 'argocd-staging.yaml', 'flux-staging.yaml']);
    expect(existsSync(join(out, 'staging', 'nanoe-monitoring.k8s.yaml'))).toBe(true);
    const p = synth('--config', two, '--out', out, '--prune');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/removed .*staging/);
    expect(readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual(['dev', 'gitops', 'prod']);
    expect(readdirSync(join(out, 'gitops')).sort()).toEqual(['.nanoe-monitoring', 'argocd-dev.yaml', 'argocd-prod.yaml']);
  });

  test('output through a symbolic link to another filesystem works (no EXDEV)', () => {
    const other = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? mkdtempSync('/dev/shm/nanoe-') : tmp('nanoe-other-');
    const link = join(tmp('nanoe-link-'), 'dist');
    symlinkSync(other, link);
    for (let i = 0; i < 2; i++) expect(synth('--out', link).status).toBe(0);
    expect(readdirSync(other).filter((f) => !f.startsWith('.')).sort()).toEqual(['dev', 'prod']);
  });
});

describe('messages a newcomer understands', () => {
  test('--help lists every flag and command', () => {
    const r = synth('--help');
    expect(r.status).toBe(0);
    for (const word of ['--env', '--config', '--out', '--prune', '--help', 'restore', '--component', '--backup', '--replica', '--from-s3']) expect(r.stdout).toContain(word);
  });

  test.each([
    ['an unwritable --out under /proc', ['--out', '/proc/nanoe/x'], /error: \/proc\/nanoe(\/x)? (does not exist|cannot be written)[^\n]*— /],
    ['--out that is a file', ['--out', join(ROOT, 'package.json')], /package\.json is a file, not a folder — choose another --out/],
    ['a missing config file', ['--config', '/nonexistent/env.yaml'], /config file: "\/nonexistent\/env\.yaml" does not exist — check the path; the default is config\/environments\.yaml/],
    ['a config file that is a folder', ['--config', ROOT], /config file: ".*" is a folder, not a file/],
    ['an unknown flag', ['--outdir', 'x'], /command line: "--outdir" is not understood — see --help/],
  ])('%s: one line naming the path and the fix, quickly', (_name, args, pattern) => {
    const started = Date.now();
    const r = synth(...args);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at \S+ \(/);
  });

  test('an empty config file is named', () => {
    const file = join(tmp('nanoe-empty-'), 'environments.yaml');
    writeFileSync(file, '# nothing yet\n');
    expect(synth('--config', file).stderr).toContain(`config file: "${file}" is empty — write defaults: and environments: into it`);
  });

  test('a billion-laughs config fails in well under a second', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const file = join(tmp('nanoe-lol-'), 'environments.yaml');
    writeFileSync(file, `${levels.join('\n')}\n`);
    const started = process.hrtime.bigint();
    const { loadConfigFile } = require('../lib/config/load');
    expect(() => loadConfigFile(file)).toThrow(/expands to more than 10000 values through YAML aliases/);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});

describe('no secret in the output, ever', () => {
  test('every output file of an all-options config is free of planted canaries and credential patterns', () => {
    const out = tmp('nanoe-canary-');
    const env = { ...process.env, AWS_SECRET_ACCESS_KEY: 'CANARY-env-aws', GRAFANA_ADMIN_PASSWORD: 'CANARY-env-grafana', NANOE_TOKEN: 'CANARY-env-token' };
    const config = configWith(allOptions);
    const r = spawnSync(process.execPath, ['build/main.js', '--config', config, '--out', out], { cwd: ROOT, encoding: 'utf8', env });
    expect(r.status).toBe(0);
    const files = allFiles(out);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toMatch(/CANARY/);
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text).not.toMatch(/[a-z]+:\/\/[^/\s"'@]+:(?!\$\()[^/\s"'@]+@/); // user:password@ in a URL (a $(VAR) from a Secret is fine)
      expect(text).not.toMatch(/^kind: Secret$/m);
      expect(text).not.toMatch(/(password|token|secret)"?:\s*"?(?!\$|\/)[A-Za-z0-9+/=]{8,}"?\s*$/im); // a literal value, not a file or Secret reference
    }
  });

  test('a Secret or a literal credential in the backend manifests is refused, without repeating it', () => {
    const { buildEnvironments } = require('../lib/output/synth');
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-backend-'));
    for (const f of readdirSync(join(ROOT, 'backend'))) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'backend', f)));
    writeFileSync(join(dir, 'secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: { name: db }\nstringData: { password: CANARY-secret }\n');
    const config = configWith((d) => { d.defaults.backend.manifestsPath = dir; });
    expect(() => buildEnvironments({ root: ROOT, configFile: config })).toThrow(/backend\.manifestsPath: ".*secret\.yaml: Secret\/db" is a Secret; the manifests are copied into dist\/ and Git/);
    try { buildEnvironments({ root: ROOT, configFile: config }); } catch (e) { expect((e as Error).message).not.toContain('CANARY'); }
    writeFileSync(join(dir, 'secret.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec: { template: { spec: { containers: [{ name: x, image: "x:1", env: [{ name: DB_PASSWORD, value: CANARY-env }] }] } } }\n');
    expect(() => buildEnvironments({ root: ROOT, configFile: config })).toThrow(/Deployment\/x container x env DB_PASSWORD" is a literal credential/);
  });

  test('a backend object with `namespace: ""` is the backend\'s: never in the stack\'s output, and the same object as one without a namespace', () => {
    const { buildEnvironments, renderAll } = require('../lib/output/synth');
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-backend-'));
    for (const f of readdirSync(join(ROOT, 'backend'))) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'backend', f)));
    writeFileSync(join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: backend-settings, namespace: "" }\ndata: { a: b }\n');
    const config = configWith((d) => { d.defaults.backend.manifestsPath = dir; });
    const files: { path: string; text: string }[] = renderAll({ root: ROOT, configFile: config, environments: ['dev'] });
    expect(files.filter((f) => f.text.includes('backend-settings')).map((f) => f.path)).toEqual([]);
    writeFileSync(join(dir, 'zz-copy.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: backend-settings }\ndata: { a: c }\n');
    expect(() => buildEnvironments({ root: ROOT, configFile: config })).toThrow(/backend\.manifestsPath: "ConfigMap\/backend-settings" is defined in both .*extra\.yaml and .*zz-copy\.yaml/);
  });

  test('the same StatefulSet in two backend files is refused', () => {
    const { buildEnvironments } = require('../lib/output/synth');
    const dir = mkdtempSync(join(tmpdir(), 'nanoe-backend-'));
    for (const f of readdirSync(join(ROOT, 'backend'))) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'backend', f)));
    writeFileSync(join(dir, 'zz-copy.yaml'), readFileSync(join(ROOT, 'backend', 'postgres.yaml')));
    const config = configWith((d) => { d.defaults.backend.manifestsPath = dir; });
    expect(() => buildEnvironments({ root: ROOT, configFile: config })).toThrow(/backend\.manifestsPath: "StatefulSet\/postgres" is defined in both .*postgres\.yaml and .*zz-copy\.yaml; one copy would silently replace the other/);
  });
});

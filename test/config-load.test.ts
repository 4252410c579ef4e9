/**
 * The config loader (lib/config/load.ts), refusal by refusal, word for word: the file, the document,
 * the environments, image pins, cross-field rules and namespace collisions. Only the config layer is
 * loaded (no synth), so the mutation run (`npm run mutate`, docs/mutation.md) credits each kill to the
 * test that names the behaviour. test/bad-config.test.ts checks the same refusals through a full synth.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fileProblem } from '../lib/config/errors';
import { loadConfigFile, resolveConfig } from '../lib/config/load';
import { pinnedImage } from '../lib/config/versions';
import { resultsOfThisRun } from '../lib/config/memo';
import { findForbiddenKey, parseYaml, parseYamlDocuments, parseYamlShared } from '../lib/config/yaml-input';
import { defaultDoc, refusedWith, resolveWith } from './support/refusal';

const ROOT = join(__dirname, '..');
const refusal = (edit: (d: any) => void, name = 'dev'): string => refusedWith(() => resolveWith(edit, name));
const THANOS = { objectStoreSecret: 'thanos-objstore', querier: { namespace: 'thanos', podLabels: { app: 'thanos-query' } }, objectStoreEgress: { cidr: '192.0.2.1/32', port: 443 } };

describe('the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nanoe-config-load-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  test('a missing file, invalid YAML and an empty file are refused, naming the file and the fix', () => {
    const missing = join(dir, 'missing.yaml');
    expect(refusedWith(() => loadConfigFile(missing))).toBe(
      `config file: ${JSON.stringify(missing)} does not exist — check the path; the default is config/environments.yaml, another is chosen with --config FILE`,
    );
    const broken = file('broken.yaml', 'defaults: [\n');
    expect(refusedWith(() => loadConfigFile(broken))).toMatch(new RegExp(`^config file: ${JSON.stringify(broken)} is not valid YAML: .+ — fix the YAML syntax$`, 's'));
    for (const text of ['', '# nothing yet\n']) {
      const empty = file('empty.yaml', text);
      expect(refusedWith(() => loadConfigFile(empty))).toBe(`config file: ${JSON.stringify(empty)} is empty — write defaults: and environments: into it (copy config/environments.yaml)`);
    }
  });

  test('a valid file resolves like the same document given directly', () => {
    const path = file('ok.yaml', readFileSync(join(ROOT, 'config', 'environments.yaml'), 'utf8'));
    expect(loadConfigFile(path, ['prod'])).toEqual(resolveConfig(defaultDoc(), ['prod']));
  });
});

describe('the document: defaults: and environments:, nothing else', () => {
  test('the top level must be a map; only defaults: and environments:; at least one environment', () => {
    expect(refusedWith(() => resolveConfig([]))).toBe('(top level of the config file): [] must be a map with defaults: and environments: — see config/environments.yaml');
    expect(refusedWith(() => resolveConfig({ defaults: {}, environments: { dev: {} }, extra: 1 }))).toBe('extra: 1 is not a known top-level field — use only defaults: and environments:');
    expect(refusedWith(() => resolveConfig({ environments: [] }))).toBe('environments: [] must list at least one environment — add e.g. "environments: { dev: {} }"');
    expect(refusedWith(() => resolveConfig({ environments: {} }))).toBe('environments: {} must list at least one environment — add e.g. "environments: { dev: {} }"');
  });

  test('a __proto__ key is refused wherever it is, named by its path without the "(config)." prefix', () => {
    const message = (path: string) => `${path}: "***" is a key JavaScript treats as an object prototype, a way to smuggle values past the checks — remove it`;
    expect(refusedWith(() => resolveConfig(JSON.parse('{"defaults": {"grafana": {"__proto__": {"adminPassword": "x"}}}, "environments": {"dev": {}}}')))).toBe(message('defaults.grafana.__proto__'));
    expect(refusedWith(() => resolveConfig(JSON.parse('{"__proto__": {"x": 1}, "environments": {"dev": {}}}')))).toBe(message('__proto__'));
  });

  test('environments resolve in name order; none asked (or an empty list) means all; an unknown one is refused, listing the others', () => {
    const d = defaultDoc();
    const swapped = { defaults: d.defaults, environments: { prod: d.environments.prod, dev: d.environments.dev } };
    expect(resolveConfig(swapped).map((e) => e.name)).toEqual(['dev', 'prod']);
    expect(resolveConfig(swapped, []).map((e) => e.name)).toEqual(['dev', 'prod']);
    expect(resolveConfig(swapped, ['prod']).map((e) => e.name)).toEqual(['prod']);
    expect(refusedWith(() => resolveConfig(swapped, ['prod', 'qa']))).toBe('environment: "qa" is not defined in the config — use one of: dev, prod, or add it under environments:');
  });

  test('environment names: 1 to 63 lower-case letters, digits and "-", not ending in "-"', () => {
    const named = (name: string) => refusedWith(() => resolveConfig({ defaults: defaultDoc().defaults, environments: { [name]: {} } }));
    const fix = 'use at most 63 lower-case letters, digits and "-" (it becomes a folder, a label and part of object names)';
    expect([named('a'), named('e'.repeat(63)), named('qa-2')]).toEqual(['(accepted)', '(accepted)', '(accepted)']);
    expect(named('e'.repeat(64))).toBe(`environments.${'e'.repeat(64)}: ${JSON.stringify('e'.repeat(64))} is not a valid environment name — ${fix}`);
    expect(named('dev-')).toBe(`environments.dev-: "dev-" is not a valid environment name — ${fix}`);
    expect(named('Dev')).toBe(`environments.Dev: "Dev" is not a valid environment name — ${fix}`);
  });

  test('an environment whose prometheus: is null is refused as a field, not a crash', () => {
    expect(refusedWith(() => resolveConfig({ defaults: defaultDoc().defaults, environments: { dev: { prometheus: null } } }))).toMatch(/^environments\.dev\.prometheus: null must be a map — /);
  });
});

describe('images: the pinned release by default, another release refused', () => {
  test('the Thanos image defaults to the pinned one only when the sidecar is on; an image given is kept', () => {
    expect(resolveWith((d) => { d.defaults.prometheus.thanosSidecar = THANOS; }).prometheus.thanosSidecar?.image).toBe(pinnedImage('thanos'));
    expect(resolveWith((d) => { d.defaults.prometheus.thanosSidecar = { ...THANOS, image: 'mirror.example.com/thanos/thanos:v0.42.4' }; }).prometheus.thanosSidecar?.image)
      .toBe('mirror.example.com/thanos/thanos:v0.42.4');
    expect(resolveWith(() => {}).prometheus.thanosSidecar).toBeNull();
    // Left out altogether it is missing (not a sidecar with only an image).
    expect(refusal((d) => { delete d.defaults.prometheus.thanosSidecar; })).toBe('environments.dev.prometheus.thanosSidecar: undefined is missing — set it in defaults: or in this environment');
  });

  test('an image of another release is refused wherever it is, naming its dotted path', () => {
    expect(refusal((d) => { d.environments.dev = { backend: { postgres: { image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0' } } }; }))
      .toMatch(/^environments\.dev\.backend\.postgres\.image: "quay\.io\/prometheuscommunity\/postgres-exporter:v0\.15\.0" runs release v0\.15\.0, but the tested release is /);
    expect(refusal((d) => { d.defaults.prometheus.thanosSidecar = { ...THANOS, image: 'quay.io/thanos/thanos:v0.36.1' }; }))
      .toMatch(/^environments\.dev\.prometheus\.thanosSidecar\.image: "quay\.io\/thanos\/thanos:v0\.36\.1" runs release v0\.36\.1/);
  });
});

describe('cross-field rules', () => {
  test('requests above limits are refused for the exporter sidecars too, with the fix', () => {
    expect(refusal((d) => { d.defaults.backend.postgres.resources.requests.memory = '129Mi'; }))
      .toBe('environments.dev.backend.postgres.resources.requests.memory: "129Mi" is above the limit "128Mi" — lower the request or raise the limit');
    expect(refusal((d) => { d.defaults.backend.redis.resources.requests.cpu = '201m'; }))
      .toBe('environments.dev.backend.redis.resources.requests.cpu: "201m" is above the limit "200m" — lower the request or raise the limit');
    expect(refusal((d) => { d.defaults.backend.redis.resources.requests.cpu = '200m'; })).toBe('(accepted)');
  });

  test('namespace rules: node agents apart, default-deny on, the backend elsewhere', () => {
    expect(refusal((d) => { d.defaults.nodeAgentsNamespace = 'monitoring'; })).toBe(
      'environments.dev.nodeAgentsNamespace: "monitoring" equals namespace; the node agents need host access and a namespace at the privileged Pod Security level of their own — use a separate namespace such as "monitoring-node-agents"',
    );
    expect(refusal((d) => { d.defaults.network.defaultDeny = false; })).toBe(
      'environments.dev.network.defaultDeny: false would leave every pod of the stack open to the whole cluster — keep it true; every path the stack needs is already allowed from the wiring (see README, "Network paths")',
    );
    expect(refusal((d) => { d.defaults.namespace = 'nanoe'; })).toBe(
      'environments.dev.namespace: "nanoe" equals backend.namespace; the default-deny policies of the stack would isolate the backend — use a namespace of its own such as "monitoring"',
    );
  });

  const NAMESPACES: [string, string, (d: any) => void][] = [
    ['kube-system', 'a Kubernetes system namespace', () => {}],
    ['kube-public', 'a Kubernetes system namespace', () => {}],
    ['kube-node-lease', 'a Kubernetes system namespace', () => {}],
    ['default', 'the default namespace', () => {}],
    ['api', 'backend.api.namespace (the API pods)', (d) => { d.defaults.backend.api.namespace = 'api'; }],
    ['ingress-nginx', 'network.ingress.controller.namespace (the ingress controller)', () => {}],
    ['monitoring-global', 'prometheus.federation.from.namespace (the global Prometheus)', (d) => { d.defaults.prometheus.federation = d.environments.prod.prometheus.federation; }],
    ['thanos', 'prometheus.thanosSidecar.querier.namespace (the Thanos Querier)', (d) => { d.defaults.prometheus.thanosSidecar = THANOS; }],
  ];
  test.each(NAMESPACES)('neither the stack nor the node agents may run in %s (%s)', (ns, what, setup) => {
    for (const [key, fix] of [['namespace', 'monitoring'], ['nodeAgentsNamespace', 'monitoring-node-agents']] as const) {
      expect(refusal((d) => { setup(d); d.defaults[key] = ns; })).toBe(
        `environments.dev.${key}: ${JSON.stringify(ns)} is also ${what}; the stack's default-deny NetworkPolicies and Pod Security labels would apply to those pods too — use a namespace of the stack's own such as "${fix}"`,
      );
    }
    // Without the federation or the sidecar, their namespaces are free.
    if (ns === 'monitoring-global' || ns === 'thanos') expect(refusal((d) => { d.defaults.nodeAgentsNamespace = ns; })).toBe('(accepted)');
  });

  test('the node agents in the backend namespace are refused (the stack there is refused earlier, as above)', () => {
    expect(refusal((d) => { d.defaults.nodeAgentsNamespace = 'nanoe'; })).toMatch(/^environments\.dev\.nodeAgentsNamespace: "nanoe" is also backend\.namespace;/);
  });

  test('remote-write names must differ: the second of two equal names is refused, different names are accepted', () => {
    const rw = (name: string) => ({ name, url: 'https://mimir.example.com/api/v1/push', egress: { cidr: '192.0.2.10/32', port: 443 }, basicAuthUsername: null,
      credentialsSecret: null, dropMetrics: [], queue: { capacity: 10000, maxShards: 50, maxSamplesPerSend: 2000 } });
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [rw('a'), rw('b'), rw('a')]; })).toBe(
      'environments.dev.prometheus.remoteWrite[2].name: "a" is the name of another remote-write endpoint too; Prometheus refuses duplicate queue names — give each endpoint a name of its own',
    );
    expect(refusal((d) => { d.defaults.prometheus.remoteWrite = [rw('a'), rw('b')]; })).toBe('(accepted)');
  });

  test('the backup volume holds (keep + 1) × retentionSize: exactly that is accepted, 1Mi less refused; no check with backups off', () => {
    // dev: retentionSize 16GB (16 GiB), keep 3: 64Gi.
    expect(refusal((d) => { d.defaults.backup.storage.prometheus = '64Gi'; })).toBe('(accepted)');
    expect(refusal((d) => { d.defaults.backup.storage.prometheus = '65535Mi'; })).toBe(
      'environments.dev.backup.storage.prometheus: "65535Mi" is smaller than (keep + 1) × prometheus.retentionSize = (3 + 1) × 16GB: a new backup is complete before the oldest is deleted, so the volume fills up — raise it to at least 64Gi, or lower backup.keep or prometheus.retentionSize',
    );
    expect(refusal((d) => { d.defaults.backup.keep = 1; d.defaults.backup.storage.prometheus = '32Gi'; })).toBe('(accepted)');
    expect(refusal((d) => { d.defaults.backup.keep = 1; d.defaults.backup.storage.prometheus = '31Gi'; })).toMatch(/= \(1 \+ 1\) × 16GB: .* at least 32Gi,/);
    expect(refusal((d) => { d.defaults.backup.enabled = false; d.defaults.backup.storage.prometheus = '1Gi'; })).toBe('(accepted)');
  });
});

describe('file errors and YAML input', () => {
  test('every filesystem error code becomes what is wrong and what to do, for reading and for writing', () => {
    const err = (code?: string, message = 'boom') => Object.assign(new Error(message), code ? { code } : {});
    const both = (code: string) => [fileProblem(err(code), 'read'), fileProblem(err(code), 'write')];
    expect(both('ENOENT')).toEqual([{ problem: 'does not exist', fix: 'check the path' }, { problem: 'does not exist', fix: 'create the parent folder or choose another --out' }]);
    for (const code of ['EACCES', 'EPERM']) {
      expect(both(code)).toEqual([
        { problem: 'cannot be read: permission denied', fix: 'fix its permissions or choose another path' },
        { problem: 'cannot be written: permission denied', fix: 'fix its permissions or choose another path' },
      ]);
    }
    expect(fileProblem(err('EISDIR'), 'read')).toEqual({ problem: 'is a folder, not a file', fix: 'name a file' });
    expect(fileProblem(err('ENOTDIR'), 'read')).toEqual({ problem: 'has a file where a folder is expected on its path', fix: 'choose another path' });
    expect(fileProblem(err('EEXIST'), 'write')).toEqual({ problem: 'already exists', fix: 'move it away or choose another path' });
    expect(fileProblem(err('ENAMETOOLONG'), 'read')).toEqual({ problem: 'is too long a path for the filesystem', fix: 'choose a shorter path' });
    expect(fileProblem(err('EROFS'), 'write')).toEqual({ problem: 'is on a read-only filesystem', fix: 'choose a writable --out' });
    for (const code of ['ENOSPC', 'EDQUOT']) expect(fileProblem(err(code), 'write')).toEqual({ problem: 'is on a full disk (or over quota)', fix: 'free space or choose another --out' });
    expect(fileProblem(err('ELOOP'), 'read')).toEqual({ problem: 'has a symbolic link loop on its path', fix: 'fix the links or choose another path' });
    expect(fileProblem(err('EIO'), 'read')).toEqual({ problem: 'cannot be read (EIO)', fix: 'check the path' });
    expect(fileProblem(err(undefined, 'odd failure'), 'write')).toEqual({ problem: 'cannot be written (odd failure)', fix: 'check the path' });
  });

  test('forbidden keys are found at any depth, in maps inside lists too, named by their path; a value is not a key', () => {
    expect(findForbiddenKey({ a: [{ b: 1 }, { constructor: 1 }] }, '(config)')).toBe('(config).a[1].constructor');
    expect(findForbiddenKey({ a: 1, b: { c: 2, prototype: 3 } }, 'x')).toBe('x.b.prototype');
    expect(findForbiddenKey(JSON.parse('[{"ok": 1}, {"__proto__": 1}]'), 'x')).toBe('x[1].__proto__');
    expect(findForbiddenKey({ a: ['__proto__', 'constructor'], b: null }, 'x')).toBeUndefined();
  });

  test('a YAML error is one line with its line and column (1-based)', () => {
    expect(() => parseYaml('a: 1\nb: [\n')).toThrow(/^unexpected end of the stream within a flow collection at line 3, column 1$/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/^duplicated mapping key at line 2, column 1$/);
    expect(() => parseYamlDocuments('x: 1\n---\ny: [\n')).toThrow(/^unexpected end of the stream within a flow collection at line 4, column 1$/);
    // js-yaml's own error without a position: its message, first line only.
    expect(() => parseYaml('a: 1\n---\nb: 2\n')).toThrow(/^expected a single document in the stream, but found more$/);
  });

  test('a shared parse is frozen all the way down (a caller cannot change what the other checks read); a parse of one\'s own is not', () => {
    const text = 'a: &x {b: [1, {c: d}]}\ne: *x\nf: null\n';
    const shared = parseYamlShared(text) as { a: { b: [number, { c: string }] }; e: object };
    for (const part of [shared, shared.a, shared.a.b, shared.a.b[1], shared.e]) expect(Object.isFrozen(part)).toBe(true);
    expect(parseYamlShared(text)).toBe(shared); // parsed once per text
    const own = parseYaml(text) as { a: { b: unknown[] } };
    expect(own).toEqual(shared);
    for (const part of [own, own.a, own.a.b]) expect(Object.isFrozen(part)).toBe(false);
    expect(Object.isFrozen(parseYamlDocuments('x: {y: 1}\n')[0])).toBe(false);
  });

  test('each parse keeps its results in its own table of the memo stored between runs (lib/config/memo.ts)', () => {
    const one = 'memo-table-one: 1\n';
    const all = 'memo-table-all: 1\n';
    parseYamlShared(one);
    parseYamlDocuments(all);
    const tables = resultsOfThisRun();
    expect(tables['yaml-parse'][one]).toEqual({ 'memo-table-one': 1 });
    expect(tables['yaml-parse-all'][all]).toEqual([{ 'memo-table-all': 1 }]);
  });

  test('aliases: a shared value may be reached again up to 10,000 times; a "billion laughs" file is refused when the walk passes the budget', () => {
    const reuse = (n: number) => `a: &a {x: 1}\nl: [${Array(n).fill('*a').join(', ')}]\n`;
    expect((parseYaml(reuse(10_000)) as { l: unknown[] }).l).toHaveLength(10_000);
    expect(() => parseYaml(reuse(10_001))).toThrow(/^expands to more than 10000 values through YAML aliases \(a "billion laughs" file\?\); write the values out or use fewer aliases$/);
    // Everything under a value reached again counts: 5,001 reuses of a map holding one more map are 10,002 visits.
    expect(() => parseYaml(`a: &a {x: {y: 1}}\nl: [${Array(5_001).fill('*a').join(', ')}]\n`)).toThrow(/expands to more than 10000 values/);
    expect((parseYaml(`a: &a {x: {y: 1}}\nl: [${Array(5_000).fill('*a').join(', ')}]\n`) as { l: unknown[] }).l).toHaveLength(5_000);
    const laughs = ['a: &a [1,1,1,1,1,1,1,1,1,1]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    expect(() => parseYaml(laughs)).toThrow(/expands to more than 10000 values/);
    expect(parseYamlDocuments('a: &a {x: 1}\nb: *a\n---\nc: 1\n')).toEqual([{ a: { x: 1 }, b: { x: 1 } }, { c: 1 }]);
  });
});

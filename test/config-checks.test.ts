/**
 * The field checks of lib/config/checks.ts one by one, at the edges the focused mutation run found
 * unguarded (docs/mutation.md): values of the wrong type that a looser check would let through
 * (`true` reads as the metric name "true", a list as its first item), the anchors of every pattern,
 * the redaction of credentials in messages, and each fix word for word.
 */
import {
  checkNoUrlCredentials, checkValue, cidr, gitRevision, gitUrl, host, image, labelName, labels, metricName, mountedSecretName, oneOf, portName, redactUrl,
  ipv4, regex, secretName, seriesSelector, url, urlPath,
} from '../lib/config/checks';
import { re2Problem } from '../lib/config/syntax';
import { RE2_CASES } from './support/re2-cases';
import { refusedWith } from './support/refusal';
import { parseCpuMillis, parseDurationSeconds, parseGoDurationSeconds, parsePrometheusSize, parseQuantityBytes, parseStorageBytes } from '../lib/config/units';
import { caseTitle } from './support/case-title';

const ok = '(accepted)';

describe('values of another type are refused, not read as their text', () => {
  test('metric and label names: true, 12 and a list are not names', () => {
    for (const v of [true, 12, ['up']]) {
      expect(refusedWith(() => metricName('f', v))).toBe(`f: ${JSON.stringify(v)} is not a Prometheus metric name — use letters, digits, "_" and ":", not starting with a digit`);
      expect(refusedWith(() => labelName('f', v))).toBe(`f: ${JSON.stringify(v)} is not a Prometheus label name — use letters, digits and "_", not starting with a digit or "__"`);
    }
  });

  test('hosts, port names, selectors, paths, URLs, CIDRs and label values must be strings', () => {
    expect(refusedWith(() => host('f', 5))).toBe('f: 5 is not a string — write only the DNS name, e.g. "grafana.example.com" (no https://, port or path)');
    expect(refusedWith(() => portName('f', 5))).toBe('f: 5 is not a Kubernetes port name: it is not a string — use at most 15 lower-case letters, digits and "-", with at least one letter, e.g. "http"');
    expect(refusedWith(() => seriesSelector('f', 5))).toBe('f: 5 is not a string — write a series selector such as "up" or \'{__name__=~"job:.*"}\'');
    expect(refusedWith(() => urlPath('f', 5))).toBe('f: 5 is not an HTTP path — start it with "/", e.g. "/metrics"');
    expect(refusedWith(() => url(false)('f', 5))).toBe('f: 5 is not an http(s) URL — write e.g. "https://mimir.example.com/api/v1/push"');
    expect(refusedWith(() => url(false)('f', ['https://mimir.example.com/']))).toMatch(/^f: \["https:\/\/mimir\.example\.com\/"\] is not an http\(s\) URL/);
    expect(refusedWith(() => cidr('f', ['10.0.0.0/8']))).toBe('f: ["10.0.0.0/8"] is not an IPv4 CIDR — write it like "10.0.0.0/8"');
    expect(refusedWith(() => labels('f', { app: 5 }))).toBe('f.app: 5 is not a valid label value — use at most 63 letters, digits, "-", "_" and "."');
    expect(refusedWith(() => gitRevision('f', 5))).toBe('f: 5 is not a Git revision — write a branch, tag or commit such as "main" or "v1.2.0"');
    expect(refusedWith(() => oneOf(['lean', 'full'])('f', 'minimal'))).toBe('f: "minimal" must be one of lean, full — write "lean" or "full"');
  });

  test('a Secret reference left out is "missing", not "not a valid name"', () => {
    expect(refusedWith(() => secretName('f', undefined))).toBe('f: undefined is missing — name the Secret the operator creates before applying (see README, "Secrets to create")');
  });
});

describe('fixes and limits, word for word', () => {
  test('images: a malformed reference says what is wrong and how to write one', () => {
    expect(refusedWith(() => image('f', 'docker.io/Grafana/grafana:13.2.3'))).toBe(
      'f: "docker.io/Grafana/grafana:13.2.3" is not an image reference: it has "Grafana" in its repository path, which must be lower-case letters, digits and single ".", "_" or "-" separators — write it like "quay.io/prometheus/prometheus:v3.5.3" (registry, lower-case path, tag)',
    );
  });

  test('port names, regexes and selectors name the problem and the fix', () => {
    expect(refusedWith(() => portName('f', '8000'))).toMatch(/^f: "8000" is not a Kubernetes port name: it has no letter — use at most 15 lower-case letters, digits and "-", with at least one letter, e.g. "http"$/);
    expect(refusedWith(() => regex('f', 'go_(?!gc)'))).toMatch(/^f: "go_\(\?!gc\)" is not a regular expression Prometheus accepts: it has the lookaround "\(\?!".* — write an RE2 regex such as "go_\.\*" \(no lookarounds or backreferences\)$/);
    expect(refusedWith(() => regex('f', 'go_.*'))).toBe(ok);
    expect(refusedWith(() => seriesSelector('f', 'up{{'))).toMatch(/^f: "up\{\{" is not PromQL: .* — write a series selector such as "up" or '\{__name__=~"job:\.\*"\}'$/);
    expect(refusedWith(() => host('f', 'grafana.example.com:443'))).toBe('f: "grafana.example.com:443" has a port; an Ingress host has none — write only the DNS name, e.g. "grafana.example.com" (no https://, port or path)');
  });

  test('a mounted Secret name: 56 characters accepted, 57 refused (the volume name would pass 63)', () => {
    expect(refusedWith(() => mountedSecretName('f', 's'.repeat(56)))).toBe(ok);
    expect(refusedWith(() => mountedSecretName('f', 's'.repeat(57)))).toBe(
      `f: "${'s'.repeat(57)}" is mounted as the volume "secret-${'s'.repeat(57)}", longer than the 63 characters Kubernetes allows — use a Secret name of at most 56 characters`,
    );
  });

  test('label keys: a DNS prefix of up to 253 characters and a name of up to 63', () => {
    const key = (prefix: number, name: number) => refusedWith(() => labels('f', { [`${'p'.repeat(prefix)}${prefix ? '/' : ''}${'n'.repeat(name)}`]: 'v' }));
    expect([key(253, 63), key(0, 63), key(0, 1)]).toEqual([ok, ok, ok]);
    expect(key(254, 1)).toMatch(/ is not a valid label key — /);
    expect(key(1, 64)).toMatch(/ is not a valid label key — /);
  });

  test('CIDRs with host bits or leading zeros are refused with the network address to write', () => {
    const fix = (net: string) => `has host bits set (or leading zeros), which Kubernetes warns about or refuses — write the network address "${net}"`;
    expect(refusedWith(() => cidr('f', '10.1.2.3/8'))).toBe(`f: "10.1.2.3/8" ${fix('10.0.0.0/8')}`);
    expect(refusedWith(() => cidr('f', '192.168.1.77/24'))).toBe(`f: "192.168.1.77/24" ${fix('192.168.1.0/24')}`);
    expect(refusedWith(() => cidr('f', '172.16.5.4/12'))).toBe(`f: "172.16.5.4/12" ${fix('172.16.0.0/12')}`);
    expect(refusedWith(() => cidr('f', '010.0.0.0/8'))).toBe(`f: "010.0.0.0/8" ${fix('10.0.0.0/8')}`);
    expect(refusedWith(() => cidr('f', '10.0.0.010/32'))).toBe(`f: "10.0.0.010/32" ${fix('10.0.0.10/32')}`);
    expect([refusedWith(() => cidr('f', '192.168.1.0/24')), refusedWith(() => cidr('f', '0.0.0.0/0')), refusedWith(() => cidr('f', '10.0.0.10/32'))]).toEqual([ok, ok, ok]);
  });

  test('maps: the fields to write, the credential fix, the fields an unknown key could have meant', () => {
    expect(refusedWith(() => checkValue('f', 5, { a: urlPath, b: urlPath }))).toBe('f: 5 must be a map — write a YAML map with the fields a, b');
    expect(refusedWith(() => checkValue('f', { apiToken: 'x' }, { a: urlPath }))).toBe(
      'f.apiToken: "***" is a literal credential in config, which would end up in Git and in the output — create a Kubernetes Secret and reference it by name (see README, "Secrets to create")',
    );
    expect(refusedWith(() => checkValue('f', { c: 1 }, { a: urlPath, b: urlPath }))).toBe('f.c: 1 is not a known field — remove it or use one of: a, b');
  });
});

describe('credentials in URLs: refused, and masked in every message', () => {
  test('redactUrl masks user info and credential query values, nothing else', () => {
    expect(redactUrl('https://user:pass@mimir.example.com/push')).toBe('https://***@mimir.example.com/push');
    expect(redactUrl('git+ssh://git@host.example.com/x')).toBe('git+ssh://***@host.example.com/x');
    expect(redactUrl('https://h.example.com/p?token=abc&x=1&API-Key=k')).toBe('https://h.example.com/p?token=***&x=1&API-Key=***');
    expect(redactUrl('https://h.example.com/p?next=ftp://u@x.example.com')).toBe('https://h.example.com/p?next=ftp://u@x.example.com');
    expect(redactUrl('https://h.example.com/a@b')).toBe('https://h.example.com/a@b');
    // Only query parameters: a "token=" in the path is left as it is.
    expect(redactUrl('https://h.example.com/token=abc')).toBe('https://h.example.com/token=abc');
  });

  test('a password, a user or a credential query parameter is refused; a user is allowed only where asked', () => {
    const creds = (v: string, allowUser?: boolean) => refusedWith(() => checkNoUrlCredentials('f', v, allowUser));
    const tail = 'which would be written to dist/ and Git in clear text — remove it from the URL and give the credential as a Kubernetes Secret referenced by name (see README, "Secrets to create")';
    expect(creds('https://:secret@h.example.com/')).toBe(`f: "https://***@h.example.com/" holds a credential (user info before "@"), ${tail}`);
    expect(creds('https://user@h.example.com/')).toBe(`f: "https://***@h.example.com/" holds a credential (user info before "@"), ${tail}`);
    expect(creds('https://h.example.com/?api_key=k')).toBe(`f: "https://h.example.com/?api_key=***" holds a credential (query parameter "api_key"), ${tail}`);
    expect([creds('https://h.example.com/?page=2'), creds('ssh://git@h.example.com/x', true), creds('not a url')]).toEqual([ok, ok, ok]);
    expect(creds('ssh://git:pw@h.example.com/x', true)).toMatch(/holds a credential \(user info before "@"\)/);
  });

  test('http(s) URLs only, and https with credentials; refused values are masked', () => {
    expect(refusedWith(() => url(false)('f', 'xhttps://h.example.com/'))).toMatch(/is not an http\(s\) URL/);
    expect(refusedWith(() => url(false)('f', 'ftp://u:p@h.example.com/'))).toBe('f: "ftp://***@h.example.com/" is not an http(s) URL — write e.g. "https://mimir.example.com/api/v1/push"');
    expect(refusedWith(() => url(false)('f', 'https://user@h.example.com/'))).toMatch(/holds a credential \(user info before "@"\)/);
    expect([refusedWith(() => url(false)('f', 'http://h.example.com/')), refusedWith(() => url(true)('f', 'https://h.example.com/'))]).toEqual([ok, ok]);
  });
});

describe('Git repositories and revisions (Argo CD)', () => {
  test('https://, ssh:// and git@host:path are repository URLs; anything around them is not', () => {
    const git = (v: string) => refusedWith(() => gitUrl('f', v));
    for (const good of ['https://git.example.com/nanoe/monitoring.git', 'http://git.example.com/m.git', 'ssh://git@git.example.com/m.git', 'git://git.example.com/m.git', 'git@git.example.com:nanoe/monitoring.git'])
      expect([good, git(good)]).toEqual([good, ok]);
    const notGit = (v: string) => `f: ${JSON.stringify(v)} is not a Git repository URL — write e.g. "https://git.example.com/nanoe/monitoring.git" or "git@git.example.com:nanoe/monitoring.git"`;
    for (const bad of ['git.example.com/m.git', 'xgit@git.example.com:m.git', 'git@git.example.com:m .git', 'xhttps://git.example.com/m.git', 'https://git.example.com/m .git', 'git@:m.git'])
      expect([bad, git(bad)]).toEqual([bad, notGit(bad)]);
    expect(git('https://git@git.example.com/m.git')).toMatch(/^f: "https:\/\/\*\*\*@git\.example\.com\/m\.git" holds a credential/);
  });

  test('revisions: branch, tag or commit; no spaces, "..", or leading "-"', () => {
    const rev = (v: string) => refusedWith(() => gitRevision('f', v));
    for (const good of ['main', 'v1.2.0', 'release/1.x', 'fix-', 'a']) expect([good, rev(good)]).toEqual([good, ok]);
    for (const bad of ['a b', 'a..b', '-x', '', 'a~1']) expect([bad, rev(bad)]).toEqual([bad, `f: ${JSON.stringify(bad)} is not a Git revision — write a branch, tag or commit such as "main" or "v1.2.0"`]);
  });
});

describe('units (lib/config/units.ts): only strings (and numbers for CPU), zero and too small refused', () => {
  test('a list holding a valid value is not that value', () => {
    expect(refusedWith(() => parseQuantityBytes('f', ['1Gi']))).toMatch(/^f: \["1Gi"\] is not a Kubernetes quantity — /);
    expect(refusedWith(() => parsePrometheusSize('f', ['16GB']))).toMatch(/^f: \["16GB"\] is not a Prometheus size — /);
    expect(refusedWith(() => parseDurationSeconds('f', ['5m']))).toMatch(/^f: \["5m"\] is not a Prometheus duration — /);
    expect(refusedWith(() => parseCpuMillis('f', ['2']))).toBe('f: ["2"] is not a CPU quantity — write cores ("2", "0.5") or millicores ("500m")');
    expect(refusedWith(() => parseGoDurationSeconds('f', 5))).toBe('f: 5 is not a Go duration (Flux reads it with time.ParseDuration) — write e.g. "5m", "1h" or "24h" (units h, m, s; there is no "d")');
  });

  test('an empty duration is not a duration (rather than a zero one)', () => {
    expect(refusedWith(() => parseDurationSeconds('f', ''))).toBe(
      'f: "" is not a Prometheus duration — write e.g. "30s", "5m", "15d" or "1h30m": a number and a unit (y w d h m s ms), units from largest to smallest, each once',
    );
  });

  test('a zero Prometheus size means "no limit" to Prometheus and is refused', () => {
    expect(refusedWith(() => parsePrometheusSize('f', '0GB'))).toBe('f: "0GB" is zero, which Prometheus reads as "no size limit" — write a positive size such as "45GB"');
    expect(parsePrometheusSize('f', '1B')).toBe(1);
  });

  test('a volume is at least 1Mi: 1048576 bytes accepted, one byte less refused', () => {
    expect(parseStorageBytes('f', '1Mi')).toBe(2 ** 20);
    expect(parseStorageBytes('f', '1048576')).toBe(2 ** 20);
    expect(refusedWith(() => parseStorageBytes('f', '1048575'))).toBe('f: "1048575" is below 1Mi, too small for a volume — write a size such as "10Gi"');
    expect(refusedWith(() => parseStorageBytes('f', '0'))).toBe('f: "0" is below 1Mi, too small for a volume — write a size such as "10Gi"');
  });

  test('Go durations: h m s ms us µs ns, fractions allowed, parts added; no days; zero refused', () => {
    expect(['5m', '1h30m', '1.5h', '1.25h', '100ms', '0.5s', '1m30.5s', '1500us', '2µs', '10ns'].map((v) => parseGoDurationSeconds('f', v)))
      .toEqual([300, 5400, 5400, 4500, 0.1, 0.5, 90.5, 0.0015, 0.000002, 1e-8]);
    expect(refusedWith(() => parseGoDurationSeconds('f', ['5m']))).toMatch(/^f: \["5m"\] is not a Go duration/);
    expect(refusedWith(() => parseGoDurationSeconds('f', '1d'))).toMatch(/^f: "1d" is not a Go duration/);
    expect(refusedWith(() => parseGoDurationSeconds('f', '0s'))).toBe('f: "0s" is zero — use a positive duration such as "5m"');
    expect(refusedWith(() => parseGoDurationSeconds('f', '0m0s'))).toBe('f: "0m0s" is zero — use a positive duration such as "5m"');
  });
});

describe('RE2 (lib/config/syntax.ts re2Problem), pattern by pattern as the pinned Prometheus compiles them', () => {
  test.each(RE2_CASES.map(([p, problem]) => [caseTitle(p), problem, p] as const))('%s: %s', (_title, problem, pattern) => {
    expect(re2Problem(pattern)).toBe(problem);
  });
});

describe('ipv4 (network.nodeLocalDnsIp): one dotted-quad address, octets 0–255 without leading zeros', () => {
  const refusal = (v: unknown) => `f: ${JSON.stringify(v)} is not an IPv4 address — write one address like "169.254.20.10" (no "/32", no leading zeros), or null`;
  test.each(['169.254.20.10', '0.0.0.0', '255.255.255.255', '10.0.0.1', '1.20.100.0'])('%s is accepted', (v) => {
    expect(() => ipv4('f', v)).not.toThrow();
  });
  test.each<unknown>(['256.1.1.1', '1.1.1.256', '1.2.3.999', '01.2.3.4', '1.2.3.04', '1.00.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.4/32', ' 1.2.3.4', 'a.b.c.d', '', 16909060, null, ['1.2.3.4']])('%p is refused, naming the value and the form', (v) => {
    expect(refusedWith(() => ipv4('f', v))).toBe(refusal(v));
  });
});

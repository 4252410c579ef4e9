/**
 * Hosts, port names and image references: lib/config/syntax.ts against tables of the rules the
 * reading program applies, as its source writes them (each table cites it), and series selectors
 * against test/support/selector-cases.ts and rule and panel expressions against
 * test/support/expression-cases.ts (whose verdicts test/selector-promtool.test.ts and
 * test/expression-promtool.test.ts check with the pinned promtool). Each row is [value, the exact problem, or undefined when accepted].
 */
import { seriesSelectorProblem } from '../lib/config/promql-syntax';
import { hostProblem, imageReferenceProblem, portNameProblem } from '../lib/config/syntax';
import { findPromqlSyntaxError, substituteGrafanaMacros } from '../lib/content/promql';
import { EXPRESSION_CASES } from './support/expression-cases';
import { SELECTOR_CASES } from './support/selector-cases';
import { caseTitle } from './support/case-title';

type Rows = readonly (readonly [value: string, problem: string | undefined])[];

const NOT_DNS = 'is not a DNS name (lower-case letters, digits, "-" and ".", at most 63 characters between dots)';
/** Three 63-character labels and their dots: 191 characters. */
const LABELS_191 = Array(3).fill('a'.repeat(63)).join('.');

/**
 * Ingress hosts. Kubernetes (kubernetes/kubernetes pkg/apis/networking/validation/validation.go,
 * validateIngressRules) refuses a host that parses as an IP ("must be a DNS name, not an IP address";
 * netutils.ParseIPSloppy: four numbers up to 255, or IPv6), checks a host with "*" with
 * IsWildcardDNS1123Subdomain ("*." then a subdomain) and any other with IsDNS1123Subdomain
 * (k8s.io/apimachinery pkg/util/validation/validation.go: at most 253 characters, the whole "*."
 * included; labels [a-z0-9]([-a-z0-9]*[a-z0-9])? joined by "."). The 63-character label limit is
 * DNS's (RFC 1035 2.3.4), which a certificate for the host needs; Kubernetes itself does not check it.
 */
const HOSTS: Rows = [
  ["nanoe.example.com", undefined],
  ["a", undefined],
  ["a-b.c", undefined],
  ["0.example", undefined],
  ["*.example.com", undefined],
  ["999.1.1.1", undefined],
  ["1.2.3.999", undefined],
  ["git+ssh://x.example", "is a URL, not a host name"],
  ["a:b", NOT_DNS],
  ["1.2.3", undefined],
  ["*", NOT_DNS],
  ["*.", NOT_DNS],
  ["a.*.b", NOT_DNS],
  ["**.example.com", NOT_DNS],
  ["1.2.3.4", "is an IP address; an Ingress host must be a DNS name"],
  ["255.255.255.255", "is an IP address; an Ingress host must be a DNS name"],
  ["https://grafana.example.com", "is a URL, not a host name"],
  ["HTTP://x", "is a URL, not a host name"],
  ["grafana.example.com:443", "has a port; an Ingress host has none"],
  ["grafana.example.com:", "has a port; an Ingress host has none"],
  ["grafana.example.com/path", "has a path; an Ingress host has none"],
  ["::1", "has a port; an Ingress host has none"],
  ["Grafana.example.com", NOT_DNS],
  ["-a.example", NOT_DNS],
  ["a-.example", NOT_DNS],
  ["a..b", NOT_DNS],
  [".a", NOT_DNS],
  ["a.", NOT_DNS],
  ["a_b.example", NOT_DNS],
  [`${'a'.repeat(63)}.example`, undefined],
  [`${'a'.repeat(64)}.example`, NOT_DNS],
  [`${LABELS_191}.${'b'.repeat(61)}`, undefined],
  [`${LABELS_191}.${'b'.repeat(62)}`, NOT_DNS],
  [`*.${LABELS_191}.${'b'.repeat(59)}`, undefined],
  [`*.${LABELS_191}.${'b'.repeat(60)}`, NOT_DNS],
  ["_a://b", "has a path; an Ingress host has none"],
  ["a1.2.3.4", undefined],
  ["1.2.3.4.5", undefined],
];

/**
 * Port names, IANA_SVC_NAME as Kubernetes checks it (k8s.io/apimachinery pkg/util/validation/validation.go,
 * IsValidPortName): at most 15 characters, only [-a-z0-9], at least one letter [a-z], no "--", no
 * leading or trailing "-".
 */
const PORT_NAMES: Rows = [
  ["http", undefined],
  ["web", undefined],
  ["a", undefined],
  ["h2c", undefined],
  ["metrics-port", undefined],
  ["a-b-c", undefined],
  ["123456789012abc", undefined],
  ["1234567890123abc", "is longer than 15 characters"],
  ["8000", "has no letter"],
  ["0", "has no letter"],
  ["-http", "is not lower-case letters, digits and \"-\""],
  ["http-", "is not lower-case letters, digits and \"-\""],
  ["ht--tp", "has \"--\""],
  ["HTTP", "is not lower-case letters, digits and \"-\""],
  ["http_x", "is not lower-case letters, digits and \"-\""],
  ["", "is not lower-case letters, digits and \"-\""],
  ["http.x", "is not lower-case letters, digits and \"-\""],
  ["a-", "is not lower-case letters, digits and \"-\""],
  ["a--1", "has \"--\""],
];

/** The repository-path problem of imageReferenceProblem for one path component. */
const badPath = (component: string): string =>
  `has "${component}" in its repository path, which must be lower-case letters, digits and single ".", "_" or "-" separators`;

/**
 * Image references as the container runtime parses them (distribution/reference, regexp.go and
 * normalize.go, which containerd and the kubelet use): [domain/]path[:tag][@digest]; the first
 * component is a domain when it holds "." or ":", is "localhost" or has an upper-case letter
 * (splitDomain); a domain is components [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? joined by "." or an
 * [IPv6] address, with an optional :port; path components [a-z0-9]+ with single "." "_", "__" or runs
 * of "-" between; tag [\w][\w.-]{0,127}; digest algorithm:hex (32 hex digits or more); the name (domain
 * and path) at most 255 characters.
 */
const IMAGES: Rows = [
  ["prom/prometheus", undefined],
  ["prom/prometheus:v3.5.3", undefined],
  ["docker.io/prom/prometheus:v3.5.3", undefined],
  ["quay.io/prometheus/node-exporter:v1.9.1", undefined],
  ["localhost/x", undefined],
  ["localhost:5000/x:1", undefined],
  ["registry:5000/a/b", undefined],
  ["[::1]:5000/a", undefined],
  ["Registry.example.com/a", undefined],
  ["Foo/bar", undefined],
  ["a.b/c", undefined],
  ["ubuntu", undefined],
  ['u' + 'b' + 'u' + 'n' + 't' + 'u' + '@' + 's' + 'h' + 'a' + '2' + '5' + '6' + ':' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f', undefined],
  ['u' + 'b' + 'u' + 'n' + 't' + 'u' + ':' + '22' + '.' + '0' + '4' + '@' + 's' + 'h' + 'a' + '2' + '5' + '6' + ':' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f', undefined],
  ["a__b/c.d/e--f", undefined],
  ["a:_tag", undefined],
  ["a/b-c_d.e", undefined],
  ["Ubuntu", badPath('Ubuntu')],
  ["ubuntu:", "has the malformed tag \"\""],
  ["ubuntu:-x", "has the malformed tag \"-x\""],
  ["ubuntu:.x", "has the malformed tag \".x\""],
  ["ubuntu@sha256:0123", "has a malformed \"@\" digest"],
  ["ubuntu@sha256+b64:0123456789abcdef0123456789abcdef", undefined],
  ["ubuntu@sha256:0123456789ABCDEF0123456789ABCDEF", undefined],
  ["ubuntu@sha256:0123456789abcdef0123456789abcde", "has a malformed \"@\" digest"],
  ['u' + 'b' + 'u' + 'n' + 't' + 'u' + '@' + 's' + 'h' + 'a' + '2' + '5' + '6' + ':' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '@' + 'x', "has a malformed \"@\" digest"],
  ['u' + 'b' + 'u' + 'n' + 't' + 'u' + '@' + '1' + 's' + 'h' + 'a' + ':' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f' + '0' + '1' + '2' + '3' + '4' + '5' + '6' + '7' + '8' + '9' + 'a' + 'b' + 'c' + 'd' + 'e' + 'f', "has a malformed \"@\" digest"],
  ["ubuntu@sha256", "has a malformed \"@\" digest"],
  ["a___b", badPath('a___b')],
  ["a_.b", badPath('a_.b')],
  ["a._b", badPath('a._b')],
  ["_a", badPath('_a')],
  ["a-", badPath('a-')],
  ["a//b", badPath('')],
  ["/a", badPath('')],
  ["a/", badPath('')],
  ["-reg.io/a", "has the malformed registry \"-reg.io\""],
  ["reg-.io/a", "has the malformed registry \"reg-.io\""],
  ["reg.io:x/a", "has the malformed registry \"reg.io:x\""],
  ["[::g]/a", "has the malformed registry \"[::g]\""],
  ["reg.io/A", badPath('A')],
  ["", badPath('')],
  [`a:${'t'.repeat(128)}`, undefined],
  [`a:${'t'.repeat(129)}`, `has the malformed tag "${'t'.repeat(129)}"`],
  [`${'a'.repeat(127)}/${'b'.repeat(127)}`, undefined],
  [`${'a'.repeat(127)}/${'b'.repeat(128)}`, "has a name longer than 255 characters"],
  [`ex.com/${'a'.repeat(248)}`, undefined],
  [`ex.com/${'a'.repeat(249)}`, "has a name longer than 255 characters"],
];

/** What `problemOf` says of `value`, or what it threw: a check that throws fails its row on the assertion, which names the error. */
function said(problemOf: (value: string) => string | undefined, value: string): string | undefined {
  try {
    return problemOf(value);
  } catch (e) {
    return `threw ${String(e)}`;
  }
}

describe.each([
  ['hostProblem', hostProblem, HOSTS],
  ['portNameProblem', portNameProblem, PORT_NAMES],
  ['imageReferenceProblem', imageReferenceProblem, IMAGES],
  ['seriesSelectorProblem', seriesSelectorProblem, SELECTOR_CASES],
  ['findPromqlSyntaxError', (expr: string) => findPromqlSyntaxError(expr)?.message, EXPRESSION_CASES],
] as const)('%s', (_name, problemOf, rows) => {
  test.each(rows.map(([v, p]) => [caseTitle(v), p, v] as const))('%s: %s', (_title, problem, value) => {
    expect(said(problemOf, value)).toBe(problem);
  });
});

test('a panel query is checked with its Grafana macros replaced by values of their type: durations, milliseconds, label values', () => {
  const query = 'rate(x{job=~"$job"}[$__rate_interval]) * $__interval_ms / ${__range_s} > ${__range}';
  expect(substituteGrafanaMacros(query)).toBe('rate(x{job=~".+"}[5m]) * 300000 / 300000 > 5m');
  expect(substituteGrafanaMacros('x{job=~"${job:regex}"}', 'api')).toBe('x{job=~"api"}');
});

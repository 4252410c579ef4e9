
/**
 * Grammars of values that Prometheus or Kubernetes parse: each function returns what is wrong with a
 * value (a phrase for a ConfigError), or undefined when the program that reads it would accept it.
 */

const RE2_ESCAPES = new Set([...'afnrtvdDsSwWbBAzpPxCQ0123456789']); // \E only closes a \Q

/**
 * Whether Go's RE2 (regexp/syntax, which Prometheus compiles relabel regexes and `=~` matchers with)
 * refuses `pattern`: unbalanced parentheses or brackets, lookarounds `(?=` `(?!` `(?<=` `(?<!`,
 * backreferences `\1`, unknown escapes of letters, unknown group flags, a repetition without an
 * argument (`*a`, `a**`, `a++` possessive), repetition counts above 1000, an open `\Q` (it would
 * quote the `)` of the `^(?s:…)$` Prometheus wraps a relabel regex in; `wrapped` false: a `=~` matcher,
 * which Prometheus parses alone first), and a `\p` class that is neither a one-letter category (`\pL`)
 * nor a name in braces. test/re2-promtool.test.ts checks the verdicts of test/support/re2-cases.ts
 * against the pinned promtool.
 *
 * Differences that remain (RE2 refuses, this accepts): Unicode class names in braces after `\p`
 * (`\p{Foo}`) and escapes inside `[…]` are not checked
 * against Go's table, `[[:word:]]`-style class names are not checked, and patterns whose compiled
 * program exceeds RE2's size limit (nested counted repetitions such as `(a{1000}){1000}`) pass.
 * Semantics (leftmost-first matching, `(?U)`) are not checked: Prometheus anchors the regex and
 * matches whole label values, which both engines do alike for the patterns this project writes.
 */
export function re2Problem(pattern: string, wrapped = true): string | undefined {
  let depth = 0;
  let atom = false; // whether the previous item can take a repetition operator
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return 'ends with a lone "\\"';
      if (/[1-9]/.test(n)) return `has the backreference "\\${n}", which RE2 (Prometheus) does not support`;
      if (/[A-Za-z0-9]/.test(n) && !RE2_ESCAPES.has(n)) return `has the escape "\\${n}", which RE2 (Prometheus) does not know`;
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        // Prometheus compiles ^(?s:<regex>)$: an open \Q would quote the closing ")" too.
        if (end < 0 && !wrapped) break;
        if (end < 0) return 'has "\\Q" without its closing "\\E", which would quote the ")" Prometheus closes the regex with';
        atom ||= end > i + 2; // an empty \Q\E leaves nothing to repeat
        i = end + 2;
        continue;
      }
      const hex = n === 'x' ? /^\\x(?:[0-9a-fA-F]{2}|\{([0-9a-fA-F]+)\})/.exec(pattern.slice(i)) : undefined;
      if (hex === null || (hex?.[1] !== undefined && parseInt(hex[1], 16) > 0x10ffff)) {
        return `has the escape "${/^\\x(?:\{[^}]*\}?|.{0,2})/.exec(pattern.slice(i))?.[0]}", which is not "\\x" and two hex digits or "\\x{…}" up to 10FFFF`;
      }
      let len = 2;
      if ((n === 'p' || n === 'P' || n === 'x') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        if (close < 0) return `has an unclosed "\\${n}{"`;
        len = close - i + 1;
      } else if (n === 'p' || n === 'P') len = 3;
      else if (n === 'x') len = 4;
      // A class name as the pinned Go reads it: a one-letter category, or a name in braces (an optional
      // "^"; case, " ", "_" and "-" ignored), not checked against Go's tables of categories and scripts.
      const cls = n === 'p' || n === 'P' ? pattern.slice(i, i + len) : undefined;
      if (cls !== undefined && !/^\\[pP](?:[CLMNPSZ]|\{\^?[ _-]*[A-Z][A-Z _-]*\})$/i.test(cls)) return `has the class "${cls}", which RE2 (Prometheus) does not know`;
      i += len;
      atom = true; // Go repeats empty-width assertions too (\b+ compiles)
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern.startsWith('[:', j)) {
          const close = pattern.indexOf(':]', j + 2);
          if (close > 0) j = close + 1;
        }
      }
      if (j >= pattern.length) return 'has a "[" without its closing "]"';
      i = j + 1;
      atom = true;
      continue;
    }
    if (c === '(') {
      const rest = pattern.slice(i);
      if (/^\(\?<?[=!]/.test(rest)) return `has the lookaround "${rest.slice(0, rest[2] === '<' ? 4 : 3)}", which RE2 (Prometheus) does not support`;
      const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
      const flags = /^\(\?([imsU]*(?:-[imsU]+)?)([:)])/.exec(rest);
      if (named) i += named[0].length;
      else if (flags && flags[2] === ')') { i += flags[0].length; atom = false; continue; }
      else if (flags) i += flags[0].length;
      else if (rest.startsWith('(?')) return `has the group "${rest.slice(0, 4)}", which RE2 (Prometheus) does not know`;
      else i++;
      depth++;
      atom = false;
      continue;
    }
    if (c === ')') {
      if (depth === 0) return 'has a ")" without its opening "("';
      depth--;
      i++;
      atom = true;
      continue;
    }
    const counted = c === '{' ? /^\{(\d+)(?:(,)(\d*))?\}/.exec(pattern.slice(i)) : null;
    if ('*+?'.includes(c) || counted) {
      const op = counted ? counted[0] : c;
      if (!atom) return `has the repetition "${op}" with nothing to repeat`;
      if (counted) {
        const min = Number(counted[1]);
        const max = counted[2] ? (counted[3] === '' ? min : Number(counted[3])) : min;
        if (min > 1000 || max > 1000) return `has the repetition count "${op}"; RE2 (Prometheus) allows at most 1000`;
        if (max < min) return `has the repetition "${op}" with its maximum below its minimum`;
      }
      const start = i;
      i += op.length;
      if (pattern[i] === '?') i++;
      if (pattern[i] !== undefined && '*+?'.includes(pattern[i])) return `has the repetition "${pattern.slice(start, i + 1)}", which RE2 (Prometheus) refuses (bad repetition operator)`;
      atom = false;
      continue;
    }
    atom = c !== '|'; // "^*" and "$+" compile in Go
    i++;
  }
  if (depth > 0) return 'has a "(" without its closing ")"';
  return undefined;
}

/** A DNS-1123 subdomain label: lower-case letters, digits and "-". */
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An Ingress host: a DNS name (an optional leading `*.`), no scheme, port or path, not an IPv4 address
 * (four numbers up to 255; `999.1.1.1` is a DNS name to Kubernetes). Labels are held to DNS's 63
 * characters, which Kubernetes's own check (IsDNS1123Subdomain) does not apply. test/syntax-tables.test.ts.
 */
export function hostProblem(host: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'is a URL, not a host name';
  if (/:\d*$/.test(host)) return 'has a port; an Ingress host has none';
  if (host.includes('/')) return 'has a path; an Ingress host has none';
  const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (ip?.slice(1).every((o) => Number(o) <= 255)) return 'is an IP address; an Ingress host must be a DNS name';
  const labels = (host.startsWith('*.') ? host.slice(2) : host).split('.');
  if (host.length > 253 || labels.some((l) => l.length > 63 || !HOST_LABEL.test(l))) {
    return 'is not a DNS name (lower-case letters, digits, "-" and ".", at most 63 characters between dots)';
  }
  return undefined;
}

/** A port name as Kubernetes accepts it (IANA_SVC_NAME): at most 15 characters, at least one letter. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'is longer than 15 characters';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) return 'is not lower-case letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'has no letter';
  if (name.includes('--')) return 'has "--"';
  return undefined;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:localhost|${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/**
 * An image reference as container runtimes parse it (distribution/reference): `[registry/]path[:tag][@digest]`;
 * the first component is a registry when it has ".", ":" or an upper-case letter, or is "localhost".
 * test/syntax-tables.test.ts.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  const [nameTag, digest, extra] = ref.split('@');
  if (extra !== undefined || (digest !== undefined && !DIGEST.test(digest))) return 'has a malformed "@" digest';
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  const [name, tag] = colon > slash ? [nameTag.slice(0, colon), nameTag.slice(colon + 1)] : [nameTag, undefined];
  if (tag !== undefined && !TAG.test(tag)) return `has the malformed tag "${tag}"`;
  const parts = name.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !DOMAIN.test(first)) return `has the malformed registry "${first}"`;
  const path = hasDomain ? parts.slice(1) : parts;
  const bad = path.find((p) => !PATH_COMPONENT.test(p));
  if (bad !== undefined) return `has "${bad}" in its repository path, which must be lower-case letters, digits and single ".", "_" or "-" separators`;
  if (name.length > 255) return 'has a name longer than 255 characters';
  return undefined;
}


/**
 * Grammars of values that Prometheus or Kubernetes parse: each function returns what is wrong with a
 * value (a phrase for a ConfigError), or undefined when the program that reads it would accept it.
 */

/** Go's POSIX classes in brackets (regexp/syntax perl_groups.go); `[:^alpha:]` is the negation. */
const POSIX_CLASSES = new Set('alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit'.split(' ').flatMap((n) => [`[:${n}:]`, `[:^${n}:]`]));
const CONTROL_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * The escape at `i` as Go's parseEscape reads it (its text and the code point it stands for), or what
 * Go refuses: it knows octal `\0`…`\377` (`\1`…`\7` only with a second octal digit: alone they would
 * be backreferences), `\xHH`, `\x{…}`, `\a\f\n\r\t\v` and escaped ASCII punctuation.
 */
function escapeAt(pattern: string, i: number): { text: string; code: number } | string {
  const n = pattern[i + 1];
  if (n === undefined) return 'ends with a lone "\\"';
  const octal = /^\\(?:0[0-7]{0,2}|[1-7][0-7]{1,2})/.exec(pattern.slice(i));
  if (octal) return { text: octal[0], code: parseInt(octal[0].slice(1), 8) };
  if (/[1-9]/.test(n)) return `has the backreference "\\${n}", which RE2 (Prometheus) does not support`;
  if (n === 'x') {
    const hex = /^\\x(?:([0-9a-fA-F]{2})|\{([0-9a-fA-F]+)\})/.exec(pattern.slice(i));
    const code = hex ? parseInt(hex[1] ?? hex[2], 16) : NaN;
    if (!(code <= 0x10ffff)) return `has the escape "${/^\\x(?:\{[^}]*\}?|.{0,2})/.exec(pattern.slice(i))?.[0]}", which is not "\\x" and two hex digits or "\\x{…}" up to 10FFFF`;
    return { text: hex![0], code };
  }
  if (n in CONTROL_ESCAPES) return { text: `\\${n}`, code: CONTROL_ESCAPES[n] };
  if (/[A-Za-z0-9]/.test(n) || n.codePointAt(0)! > 0x7f) return `has the escape "\\${n}", which RE2 (Prometheus) does not know`;
  return { text: `\\${n}`, code: n.codePointAt(0)! };
}

/** The length of the class escape (`\d`, `\pL`, `\p{Greek}`) at `i`, or what Go refuses in a `\p` class name. */
function classEscapeLength(pattern: string, i: number): number | string {
  const n = pattern[i + 1];
  if (n !== 'p' && n !== 'P') return 2;
  let len = 3;
  if (pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i + 3);
    if (close < 0) return `has an unclosed "\\${n}{"`;
    len = close - i + 1;
  }
  // A class name as the pinned Go reads it: a one-letter category, or a name in braces (an optional
  // "^"; case, " ", "_" and "-" ignored), not checked against Go's tables of categories and scripts.
  const cls = pattern.slice(i, i + len);
  return /^\\[pP](?:[CLMNPSZ]|\{\^?[ _-]*[A-Z][A-Z _-]*\})$/i.test(cls) ? len : `has the class "${cls}", which RE2 (Prometheus) does not know`;
}

/**
 * The end of the bracket class that opens at `start` (the index after its `]`), or what Go's parseClass
 * refuses in it: a `[:name:]` it does not know (Go takes `[:` up to the next `:]` anywhere after it),
 * an escape it does not know (`\b`, `\Q` are not escapes in a class), a class escape such as `\d` as
 * the end of a range, and a range that runs backwards (`[z-a]`).
 */
function classEnd(pattern: string, start: number): number | string {
  const single = (at: number): { end: number; code: number } | string => {
    if (at >= pattern.length) return 'has a "[" without its closing "]"';
    const code = pattern.codePointAt(at)!;
    if (pattern[at] !== '\\') return { end: at + (code > 0xffff ? 2 : 1), code };
    const esc = escapeAt(pattern, at);
    return typeof esc === 'string' ? esc : { end: at + esc.text.length, code: esc.code };
  };
  let j = pattern[start + 1] === '^' ? start + 2 : start + 1;
  for (let first = true; pattern[j] !== ']' || first; first = false) {
    if (j >= pattern.length) return 'has a "[" without its closing "]"';
    const named = pattern.startsWith('[:', j) ? pattern.indexOf(':]', j + 2) : -1;
    const len = named >= 0 ? named + 2 - j : pattern[j] === '\\' && /[dDsSwWpP]/.test(pattern[j + 1] ?? '') ? classEscapeLength(pattern, j) : 0;
    if (typeof len === 'string') return len;
    if (named >= 0 && !POSIX_CLASSES.has(pattern.slice(j, j + len))) return `has the class "${pattern.slice(j, j + len)}", which RE2 (Prometheus) does not know`;
    if (len > 0) {
      j += len;
      continue;
    }
    const lo = single(j);
    if (typeof lo === 'string') return lo;
    if (pattern[lo.end] === '-' && lo.end + 1 < pattern.length && pattern[lo.end + 1] !== ']') {
      const classEscape = /^\\[dDsSwWpP]/.exec(pattern.slice(lo.end + 1));
      if (classEscape) return `has the class "${classEscape[0]}" as the end of the range "${pattern.slice(j, lo.end + 3)}", which takes one character`;
      const hi = single(lo.end + 1);
      if (typeof hi === 'string') return hi;
      if (hi.code < lo.code) return `has the range "${pattern.slice(j, hi.end)}", which runs backwards`;
      j = hi.end;
    } else j = lo.end;
  }
  return j + 1;
}

/**
 * Whether Go's RE2 (regexp/syntax, which Prometheus compiles relabel regexes and `=~` matchers with)
 * refuses `pattern`: unbalanced parentheses or brackets, lookarounds `(?=` `(?!` `(?<=` `(?<!`,
 * backreferences `\1`, escapes Go does not know (`\C`, `\Z`, letters, digits 8 and 9), unknown group
 * flags, a repetition without an argument (`*a`, `a**`, `a++` possessive), repetition counts above
 * 1000, alone or multiplied through nested repetitions (`(a{500}){3}`, Go's repeatIsValid), an open `\Q`
 * (it would quote the `)` of the `^(?s:…)$` Prometheus wraps a relabel regex in; `wrapped` false: a `=~`
 * matcher, which Prometheus parses alone first), a `\p` class that is neither a one-letter category
 * (`\pL`) nor a name in braces, and in brackets a `[:name:]` Go does not know, an escape it does not
 * know there (`[\b]`), a class escape ending a range (`[a-\d]`) and a range that runs backwards (`[z-a]`).
 * test/re2-promtool.test.ts checks the verdicts of test/support/re2-cases.ts against the pinned promtool.
 *
 * Differences that remain (RE2 refuses, this accepts): Unicode class names in braces after `\p`
 * (`\p{Foo}`) are not checked against Go's table, and patterns whose compiled program exceeds RE2's
 * size limit without nested counts above 1000 pass. Semantics (leftmost-first matching, `(?U)`) are
 * not checked: Prometheus anchors the regex and matches whole label values, which both engines do alike
 * for the patterns this project writes.
 */
export function re2Problem(pattern: string, wrapped = true): string | undefined {
  let atom = false; // whether the previous item can take a repetition operator
  // How many times nested counted repetitions repeat, at most, inside each open group (Go's repeatIsValid),
  // and in the last item, which a repetition may still multiply.
  const groups = [0];
  let last = 0;
  const item = (need: number): void => {
    groups[groups.length - 1] = Math.max(groups[groups.length - 1], last);
    last = need;
  };
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        // Prometheus compiles ^(?s:<regex>)$: an open \Q would quote the closing ")" too.
        if (end < 0 && !wrapped) break;
        if (end < 0) return 'has "\\Q" without its closing "\\E", which would quote the ")" Prometheus closes the regex with';
        atom ||= end > i + 2; // an empty \Q\E leaves nothing to repeat
        item(0);
        i = end + 2;
        continue;
      }
      let len: number | string;
      if (n !== undefined && /[dDsSwWpP]/.test(n)) len = classEscapeLength(pattern, i);
      else if (n !== undefined && 'bBAz'.includes(n)) len = 2;
      else {
        const esc = escapeAt(pattern, i);
        len = typeof esc === 'string' ? esc : esc.text.length;
      }
      if (typeof len === 'string') return len;
      i += len;
      item(0);
      atom = true; // Go repeats empty-width assertions too (\b+ compiles)
      continue;
    }
    if (c === '[') {
      const end = classEnd(pattern, i);
      if (typeof end === 'string') return end;
      i = end;
      item(0);
      atom = true;
      continue;
    }
    if (c === '(') {
      const rest = pattern.slice(i);
      if (/^\(\?<?[=!]/.test(rest)) return `has the lookaround "${rest.slice(0, rest[2] === '<' ? 4 : 3)}", which RE2 (Prometheus) does not support`;
      const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
      const flags = /^\(\?([imsU]*(?:-[imsU]+)?)([:)])/.exec(rest);
      item(0);
      if (named) i += named[0].length;
      else if (flags && flags[2] === ')') { i += flags[0].length; atom = false; continue; }
      else if (flags) i += flags[0].length;
      else if (rest.startsWith('(?')) return `has the group "${rest.slice(0, 4)}", which RE2 (Prometheus) does not know`;
      else i++;
      groups.push(0);
      atom = false;
      continue;
    }
    if (c === ')') {
      if (groups.length === 1) return 'has a ")" without its opening "("';
      item(0);
      last = groups.pop()!;
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
        const max = counted[2] ? (counted[3] === '' ? undefined : Number(counted[3])) : min;
        if (min > 1000 || (max ?? 0) > 1000) return `has the repetition count "${op}"; RE2 (Prometheus) allows at most 1000`;
        if (max !== undefined && max < min) return `has the repetition "${op}" with its maximum below its minimum`;
        const factor = max === 0 ? 0 : (max ?? min);
        const total = factor === 0 ? (max === 0 ? 0 : last) : factor * Math.max(1, last);
        // Above 1000 only when the factor is 2 or more: `last` never exceeds 1000.
        if (total > 1000) {
          return `has the repetition "${op}" of a repetition, ${total} times in all; RE2 (Prometheus) allows at most 1000`;
        }
        last = total;
      }
      const start = i;
      i += op.length;
      if (pattern[i] === '?') i++;
      if (pattern[i] !== undefined && '*+?'.includes(pattern[i])) return `has the repetition "${pattern.slice(start, i + 1)}", which RE2 (Prometheus) refuses (bad repetition operator)`;
      atom = false;
      continue;
    }
    item(0);
    atom = c !== '|'; // "^*" and "$+" compile in Go
    i++;
  }
  if (groups.length > 1) return 'has a "(" without its closing ")"';
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

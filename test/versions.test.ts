/**
 * The README's "Tested versions" table is versions.json, row for row; and the set-up's version
 * parsing reads Debian's version strings as the upstream release.
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ROOT } from './support/app';
import { VERSION_TABLE } from './support/pinned';

/** The table rows the README must show, in versions.json order. */
function expectedRows(): string[] {
  return Object.entries(VERSION_TABLE.components).map(([name, c]) => {
    const tested = c.debian
      ? `Debian ${VERSION_TABLE.debianSuite} ${Object.entries(c.debian.packages).map(([p, v]) => `\`${p}\` ${v}`).join(', ')}`
      : `facts: \`${c.facts}\``;
    return `| ${name} | \`${c.image}\` | ${tested} |`;
  });
}

test('the README table lists exactly the versions.json releases', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- versions-table:[^>]*-->\n([\s\S]*?)<!-- \/versions-table -->/.exec(readme);
  expect(block).not.toBeNull();
  const rows = block![1].split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| component') && !l.startsWith('|---'));
  expect(rows).toEqual(expectedRows());
});

test('each image tag is the upstream version (with or without a leading v), followed by its variant when one is named', () => {
  for (const [name, c] of Object.entries(VERSION_TABLE.components)) {
    expect({ name, tag: c.image.split(':').pop()!.replace(/^v/, '') }).toEqual({ name, tag: c.variant ? `${c.upstream}-${c.variant}` : c.upstream });
  }
});

test('the set-up reads the upstream release out of Debian-built --version output', () => {
  // The set-up script is an ES module (jest here runs CommonJS): ask a separate node for the answers.
  const inputs = ['prometheus, version 3.5.3+ds1 (branch: debian/sid, revision: 3.5.3+ds1-6)', 'level=info msg="Redis Metrics Exporter 1.86.0-1    build date: 20260609"', 'no version here'];
  const code = `import { upstreamVersionOf } from './scripts/pinned-binaries.mjs'; console.log(JSON.stringify(${JSON.stringify(inputs)}.map((s) => upstreamVersionOf(s) ?? null)));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  expect(JSON.parse(r.stdout)).toEqual(['3.5.3', '1.86.0', null]);
});

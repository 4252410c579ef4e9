#!/usr/bin/env node
// Fetches the exact program releases that versions.json pins, from Debian's archive, into a private
// cache, and checks each binary's --version against the pinned upstream version.
//
// Nothing is installed system-wide and the machine's apt sources are left alone: apt-get runs with
// its own sources list, package lists and cache under the cache folder, and packages are only
// extracted (dpkg-deb -x). Idempotent: a release already extracted and verified costs no download.
//
// Writes .tmp/pinned/manifest.json: { binary name -> { path, component, version } }; the test
// harness starts programs only from there (test/support/pinned.ts).
//
// Usage: node scripts/pinned-binaries.mjs            fetch (if needed), verify, write the manifest
//        node scripts/pinned-binaries.mjs --offline  verify the cache only, never download
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE_PATH = join(ROOT, 'versions.json');
const CACHE = process.env.NANOE_PINNED_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nanoe-monitoring');
const MANIFEST = join(ROOT, '.tmp', 'pinned', 'manifest.json');
const ARCHIVE = 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

const log = (msg) => console.log(`pinned-binaries: ${msg}`);
class SetupError extends Error {}

/** The first x.y.z in a program's --version output: Debian's `3.5.3+ds1` and `1.86.0-1` are upstream 3.5.3 and 1.86.0. */
export function upstreamVersionOf(output) {
  const m = /(\d+\.\d+\.\d+)/.exec(output);
  return m ? m[1] : undefined;
}

function aptOptions(suite) {
  const dir = join(CACHE, 'apt', suite);
  for (const sub of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(dir, sub), { recursive: true });
  const sources = join(dir, 'sources.list');
  writeFileSync(sources, `deb [signed-by=${KEYRING}] ${ARCHIVE} ${suite} main\n`);
  return [
    '-q', '-o', `Dir::Etc::SourceList=${sources}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(dir, 'lists')}`, '-o', `Dir::Cache=${join(dir, 'cache')}`,
    '-o', 'APT::Sandbox::User=root', '-o', 'Debug::NoLocking=1',
  ];
}

function available(opts, pkg) {
  const r = spawnSync('apt-cache', [...opts, 'madison', pkg], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.split('|')[1]?.trim()).filter(Boolean);
}

/** Downloads pkg=version into the cache (once) and returns the .deb path. */
function download(suite, state, component, pkg, version) {
  const debs = join(CACHE, 'debs');
  mkdirSync(debs, { recursive: true });
  const file = join(debs, `${pkg}_${version.replace(/:/g, '%3a')}_amd64.deb`);
  if (existsSync(file)) return file;
  const opts = aptOptions(suite);
  if (!state.updated) {
    log(`apt-get update (${suite}, private lists under ${join(CACHE, 'apt', suite)})`);
    const u = spawnSync('apt-get', [...opts, 'update'], { encoding: 'utf8' });
    if (u.status !== 0) throw new SetupError(`apt-get update for the ${suite} suite failed (is ${ARCHIVE} reachable?):\n${u.stderr}`);
    state.updated = true;
  }
  const have = available(opts, pkg);
  if (!have.includes(version)) {
    throw new SetupError(
      `${component}: the ${suite} archive no longer has ${pkg}=${version} (available: ${have.join(', ') || 'none'}).\n` +
        `  Bump versions.json: set components.${component}.debian.packages.${pkg} to an available version, ` +
        `components.${component}.upstream and .image to the matching upstream release, then run \`npm test\` ` +
        '(README, "Tested versions", says what else to re-check).',
    );
  }
  log(`downloading ${pkg}=${version}`);
  const tmp = join(debs, '.partial');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const d = spawnSync('apt-get', [...opts, 'download', `${pkg}=${version}`], { cwd: tmp, encoding: 'utf8' });
  const got = readdirSync(tmp).filter((f) => f.endsWith('.deb'));
  if (d.status !== 0 || got.length !== 1) throw new SetupError(`${component}: apt-get download ${pkg}=${version} failed:\n${d.stderr}`);
  renameSync(join(tmp, got[0]), file);
  rmSync(tmp, { recursive: true, force: true });
  return file;
}

/** Extracts a .deb once into its own folder (written to a temp name, then renamed: never half-extracted). */
function extract(deb, pkg, version) {
  const dir = join(CACHE, 'pkgs', `${pkg}_${version}`);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('dpkg-deb', ['-x', deb, tmp]);
  renameSync(tmp, dir);
  return dir;
}

function versionOutput(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

/**
 * A Debian build that reads a folder by absolute path gets it as a symlink to the pinned release.
 * Never replaces what another package installed there: a different folder stops the set-up.
 */
function linkSystemPath(component, roots, rel) {
  const target = roots.map((r) => join(r, rel)).find((p) => existsSync(p));
  if (!target) throw new SetupError(`${component}: ${rel} not found in the pinned package`);
  const link = `/${rel}`;
  let current;
  try {
    current = lstatSync(link);
  } catch {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link);
    log(`linked ${link} -> ${target}`);
    return;
  }
  if (current.isSymbolicLink() && readlinkSync(link) === target) return;
  if (current.isSymbolicLink() && readlinkSync(link).startsWith(join(CACHE, 'pkgs'))) {
    rmSync(link);
    symlinkSync(target, link);
    log(`relinked ${link} -> ${target}`);
    return;
  }
  throw new SetupError(`${component}: ${link} exists and is not the pinned release's (another package installed it?); ` +
    `the pinned ${component} reads it by absolute path. Remove that package (e.g. \`apt-get remove prometheus-alertmanager\`) and run the set-up again.`);
}

export function main(argv) {
  const offline = argv.includes('--offline');
  const table = JSON.parse(readFileSync(TABLE_PATH, 'utf8'));
  const suite = table.debianSuite;
  const state = { updated: false };
  const manifest = {};
  for (const [component, entry] of Object.entries(table.components)) {
    if (!entry.debian) continue;
    const roots = [];
    for (const [pkg, version] of Object.entries(entry.debian.packages)) {
      const dir = join(CACHE, 'pkgs', `${pkg}_${version}`);
      if (offline && !existsSync(dir)) throw new SetupError(`${component}: ${pkg}=${version} is not in the cache (${dir}); run without --offline`);
      roots.push(offline ? dir : extract(download(suite, state, component, pkg, version), pkg, version));
    }
    for (const rel of entry.debian.systemPaths ?? []) linkSystemPath(component, roots, rel);
    for (const [binary, rel] of Object.entries(entry.debian.binaries)) {
      const path = roots.map((r) => join(r, rel)).find((p) => existsSync(p));
      if (!path) throw new SetupError(`${component}: binary ${rel} not found in ${Object.keys(entry.debian.packages).join(', ')}`);
      const printed = upstreamVersionOf(versionOutput(path));
      if (printed !== entry.upstream) {
        throw new SetupError(`${component}: ${binary} --version prints ${printed ?? 'no version'}, but versions.json pins ${entry.upstream}; fix versions.json so package and upstream version agree`);
      }
      manifest[binary] = { path, component, version: entry.upstream };
      log(`${binary} ${printed} (${component})`);
    }
  }
  mkdirSync(dirname(MANIFEST), { recursive: true });
  writeFileSync(`${MANIFEST}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${MANIFEST}.tmp`, MANIFEST);
  log(`${Object.keys(manifest).length} binaries verified; manifest ${MANIFEST}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    console.error(`pinned-binaries: ERROR: ${e.message}`);
    process.exit(1);
  }
}

// What build/synth.js was built from, and whether it still is: the check `npm run synth` makes
// before it runs the bundle (scripts/synth.cjs). CommonJS, so that check needs no ESM loader.
//
// Every input is recorded with its stat signature (device, inode, size, mtime and ctime in ns) and,
// for project files, the SHA-1 of its content. A file whose signature is unchanged has unchanged
// content: any write changes its ctime, which no user tool can set back (`cp -p`, `rsync -a` and
// `touch -d` restore mtime only), and a replaced file has another inode. A file whose signature
// changed is hashed: same content (a `touch`, a checkout of the same text) keeps the bundle; other
// content rebuilds it. Dependencies (node_modules, 2.5 MB of Kubernetes types alone) are checked by
// signature only, together with the content of npm's record of the installed tree.
//
// Racy files: a file written while the bundle was being built, or within 2 s before (file systems
// with coarse timestamps could hide a second write in the same tick), gets no trusted signature: it
// is hashed on every check until the next build. A racy dependency makes the next check rebuild.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('fs');
const { join } = require('path');

const INPUTS_FILE = 'build/synth.inputs.json';
const BUILD_SCRIPTS = ['scripts/build.mjs', 'scripts/bundle-options.mjs', 'scripts/build-inputs.cjs', 'scripts/synth.cjs', 'package.json', 'node_modules/.package-lock.json'];
const RACY_WINDOW_MS = 2000;
const RACY = 'racy';

const isDependency = (path) => path.includes('node_modules/') && !path.endsWith('.package-lock.json');
const signatureOf = (st) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
const statOf = (root, path) => {
  try {
    return statSync(join(root, path), { bigint: true });
  } catch {
    return undefined;
  }
};
const sha1 = (root, path) => require('crypto').createHash('sha1').update(readFileSync(join(root, path))).digest('hex');

/**
 * The record of the inputs (paths relative to `root`, as esbuild's metafile lists them), taken after
 * a build that started at `buildStartedMs` (Date.now()).
 */
function recordInputs(root, inputs, buildStartedMs) {
  const files = {};
  for (const path of [...inputs, ...BUILD_SCRIPTS]) {
    const st = statOf(root, path);
    if (!st) {
      files[path] = { signature: 'missing' };
      continue;
    }
    const racy = Number(st.mtimeMs) >= buildStartedMs - RACY_WINDOW_MS || Number(st.ctimeMs) >= buildStartedMs - RACY_WINDOW_MS;
    files[path] = { signature: racy ? RACY : signatureOf(st), ...(isDependency(path) ? {} : { sha1: sha1(root, path) }) };
  }
  return { inputs, files };
}

/** Whether build/synth.js was built from exactly the current inputs (see the top of this file). */
function bundleIsCurrent(root) {
  let record;
  try {
    record = JSON.parse(readFileSync(join(root, INPUTS_FILE), 'utf8'));
    statSync(join(root, 'build', 'synth.js'));
    statSync(join(root, 'build', 'main.js'));
  } catch {
    return false;
  }
  if (!record || typeof record.files !== 'object' || !Array.isArray(record.inputs)) return false;
  for (const path of [...record.inputs, ...BUILD_SCRIPTS]) {
    const recorded = record.files[path];
    if (!recorded) return false;
    const st = statOf(root, path);
    if (!st) {
      if (recorded.signature === 'missing') continue;
      return false;
    }
    if (recorded.signature !== RACY && recorded.signature === signatureOf(st)) continue;
    if (isDependency(path) || recorded.sha1 !== sha1(root, path)) return false;
  }
  return true;
}

/** Writes `contents` to `path` through a temporary name, so a parallel reader never sees half a file. */
function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

module.exports = { INPUTS_FILE, recordInputs, bundleIsCurrent, writeAtomic };

// What build/synth.js was built from, and whether it still is: the content check of `npm run synth`.
// Project files (main.ts, lib/, versions.json, the build scripts) are hashed by content. Dependency
// files are checked by path, size and modification time, together with the content of npm's record
// of the installed tree (node_modules/.package-lock.json): hashing all of node_modules (2.5 MB of
// Kubernetes types alone) would cost more than the synth itself, and npm changes that record on
// every install.
import { createHash } from 'crypto';
import { readFileSync, statSync } from 'fs';
import { join } from 'path';

export const INPUTS_FILE = 'build/synth.inputs.json';
const BUILD_SCRIPTS = ['scripts/build.mjs', 'scripts/bundle-options.mjs', 'scripts/build-inputs.mjs', 'package.json', 'node_modules/.package-lock.json'];

const isDependency = (path) => path.includes('node_modules/');

/** A fingerprint of the inputs (paths relative to `root`); a missing file gives a fingerprint no build has. */
export function fingerprint(root, inputs) {
  const hash = createHash('sha1');
  for (const path of [...inputs, ...BUILD_SCRIPTS]) {
    hash.update(path);
    try {
      if (isDependency(path) && !path.endsWith('.package-lock.json')) {
        const st = statSync(join(root, path));
        hash.update(`${st.size}:${st.mtimeMs}`);
      } else {
        hash.update(readFileSync(join(root, path)));
      }
    } catch {
      hash.update('missing');
    }
  }
  return hash.digest('hex');
}

/** Whether build/synth.js was built from exactly the current inputs. */
export function bundleIsCurrent(root) {
  try {
    const { inputs, fingerprint: recorded } = JSON.parse(readFileSync(join(root, INPUTS_FILE), 'utf8'));
    statSync(join(root, 'build', 'synth.js'));
    statSync(join(root, 'build', 'main.js'));
    return fingerprint(root, inputs) === recorded;
  } catch {
    return false;
  }
}

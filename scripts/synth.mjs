// `npm run synth`: rebuilds build/synth.js only when one of its inputs changed (a content check,
// scripts/build-inputs.mjs), then runs it in this same process, so the command costs one node start.
import { createRequire } from 'module';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';
import { bundleIsCurrent } from './build-inputs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!bundleIsCurrent(ROOT)) {
  const { buildSynth } = await import('./build.mjs');
  await buildSynth();
}
createRequire(import.meta.url)(join(ROOT, 'build', 'main.js'));

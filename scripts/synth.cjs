// `npm run synth`: rebuilds build/synth.js only when one of its inputs changed (scripts/build-inputs.cjs),
// then runs it in this same process, so the command costs one node start. CommonJS: the ESM loader
// alone would add about 10 ms to every run.
'use strict';
const { join } = require('path');
const { bundleIsCurrent } = require('./build-inputs.cjs');

const ROOT = join(__dirname, '..');
const run = () => require(join(ROOT, 'build', 'main.js'));
if (bundleIsCurrent(ROOT)) {
  run();
} else {
  import('./build.mjs').then(({ buildSynth }) => buildSynth()).then(run, (e) => {
    process.stderr.write(`nanoe-monitoring: the synth program could not be built: ${e.message}\n`);
    process.exit(1);
  });
}

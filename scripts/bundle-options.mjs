// The esbuild options of every bundle on the synth path (scripts/build.mjs) and of the benchmark
// entry (scripts/bench.mjs), so both are bundled alike and comparable.
import { createRequire } from 'module';

const require = createRequire(import.meta.url);
// cdk8s bundles its own copy of `yaml`; when it is the same version, bundle one copy, not two.
const cdk8sYaml = createRequire(require.resolve('cdk8s'))('yaml/package.json').version;
const ownYaml = require('yaml/package.json').version;
const dedupeYaml = {
  name: 'dedupe-yaml',
  setup(b) {
    if (cdk8sYaml === ownYaml) b.onResolve({ filter: /^yaml$/ }, () => ({ path: require.resolve('yaml') }));
  },
};

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [dedupeYaml],
};

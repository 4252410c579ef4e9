// Bundles main.ts into one CommonJS file, so synth starts node once with no TypeScript compiler and
// no module resolution across hundreds of files (see `npm run bench`). Type checking is `npm run typecheck`.
import { build } from 'esbuild';

await build({
  entryPoints: ['main.ts'],
  outfile: 'build/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

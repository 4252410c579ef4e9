// Jest global set-up: fetch (once) and verify the pinned releases, so every test run — the full
// suite, `npm run test:unit` or one file — starts exactly the programs versions.json pins.
const { spawnSync } = require('child_process');
const { join } = require('path');

module.exports = async () => {
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'pinned-binaries.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pinned releases unavailable:\n${r.stdout}${r.stderr}`);
};

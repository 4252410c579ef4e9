// Keeps snapshots in the top-level __snapshots__/ folder of the design card instead of beside each test.
const path = require('path');
const root = path.join(__dirname, '..', '__snapshots__');
module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(root, path.basename(testPath) + ext),
  resolveTestPath: (snapshotPath, ext) => path.join(__dirname, path.basename(snapshotPath, ext)),
  testPathForConsistencyCheck: path.join(__dirname, 'example.test.ts'),
};

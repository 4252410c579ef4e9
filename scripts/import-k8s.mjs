// `npm run import` (`node scripts/import-k8s.mjs [--outdir DIR]`): generates imports/k8s.ts with cdk8s-cli's own importer (what `cdk8s import
// k8s@1.27.0` runs), from the Kubernetes definitions committed in schemas/kubernetes/ instead of the
// download that `cdk8s import` makes (no internet where this project builds). The importer's one
// network call, `download(url)`, is answered from the committed file for exactly the URL it asks for;
// any other URL fails. Same importer, same schema bytes (sha256 in schemas/kubernetes/README.md), so
// the classes are the ones `cdk8s import` writes.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const K8S_VERSION = '1.27.0';
const SCHEMA_URL = `https://raw.githubusercontent.com/cdk8s-team/cdk8s/master/kubernetes-schemas/v${K8S_VERSION}/_definitions.json`;

// cdk8s-cli exports no subpaths: its files are loaded by path from its package folder.
const cli = dirname(require.resolve('cdk8s-cli/package.json'));
const util = require(join(cli, 'lib', 'util.js'));
util.download = async (url) => {
  if (url !== SCHEMA_URL) throw new Error(`import-k8s: the importer asked for ${url}; only ${SCHEMA_URL} is available offline (schemas/kubernetes/)`);
  return gunzipSync(readFileSync(join(ROOT, 'schemas', 'kubernetes', `v${K8S_VERSION}.json.gz`))).toString('utf8');
};
const { ImportKubernetesApi } = require(join(cli, 'lib', 'import', 'k8s.js'));
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(ROOT, 'imports');
await new ImportKubernetesApi({ apiVersion: K8S_VERSION }).import({ targetLanguage: 'typescript', outdir });

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { readFileSync } from 'fs';
import { ConfigError } from '../config/errors';
import { findForbiddenKey, parseYamlDocuments } from '../config/yaml-input';

/**
 * Loads a local multi-document YAML file as ApiObjects, like cdk8s `Include` does for a local path,
 * but in-process: `Include` reads files through a child node process (about 50 ms each) and a helper
 * script that a bundled synth program does not carry along.
 */
export class ManifestFile extends Construct {
  /** The objects of the file, in file order. */
  readonly apiObjects: ApiObject[] = [];

  constructor(scope: Construct, id: string, file: string) {
    super(scope, id);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError('backend.manifestsPath', file, `cannot be read: ${(e as Error).message}`, 'point backend.manifestsPath at a folder of Kubernetes YAML files');
    }
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(text); // parsed once per text, a copy of its own for each environment
    } catch (e) {
      throw new ConfigError('backend.manifestsPath', file, `is not valid YAML: ${(e as Error).message}`, 'fix the file');
    }
    for (const doc of docs) {
      const obj = doc as any;
      if (obj === null || obj === undefined) continue;
      if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string' || typeof obj.metadata?.name !== 'string') {
        throw new ConfigError('backend.manifestsPath', file, 'holds a document without apiVersion, kind and metadata.name', 'keep only Kubernetes objects in the backend manifests');
      }
      checkNoSecrets(file, obj);
      this.apiObjects.push(new ApiObject(this, `${obj.kind}-${obj.metadata.name}`, obj));
    }
  }
}

/** Environment variable names that hold a credential when given as a literal `value`. */
const CREDENTIAL_ENV = /(password|passwd|secret|token|api_?key|access_?key|credential)/i;

/**
 * The loaded objects are written to dist/ (with their sidecars), so nothing secret may be in them:
 * no Secret objects, no literal credentials in container environments, no prototype keys.
 */
function checkNoSecrets(file: string, obj: any): void {
  const where = `${obj.kind}/${obj.metadata.name}`;
  if (obj.kind === 'Secret') {
    throw new ConfigError('backend.manifestsPath', `${file}: ${where}`, 'is a Secret; the manifests are copied into dist/ and Git, so its data would be too',
      'move the Secret out of the manifests folder and create it in the cluster (kubectl create secret), or use a sealed/external secret outside this folder');
  }
  const forbidden = findForbiddenKey(obj, where);
  if (forbidden) throw new ConfigError('backend.manifestsPath', `${file}: ${forbidden}`, 'is a key JavaScript treats as an object prototype', 'remove it');
  const spec = obj.spec?.template?.spec ?? obj.spec?.jobTemplate?.spec?.template?.spec ?? (obj.kind === 'Pod' ? obj.spec : undefined);
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      if (typeof e?.name === 'string' && CREDENTIAL_ENV.test(e.name) && e.value !== undefined && e.value !== '') {
        throw new ConfigError('backend.manifestsPath', `${file}: ${where} container ${c.name} env ${e.name}`, 'is a literal credential, which would be copied into dist/ and Git',
          'set it with valueFrom.secretKeyRef from a Secret created in the cluster');
      }
    }
  }
}

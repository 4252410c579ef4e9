import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { readFileSync } from 'fs';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from './config/errors';

/** Parsed files by content: every environment loads the same backend manifests (doc.toJS() makes fresh objects). */
const parsed = new Map<string, ReturnType<typeof parseAllDocuments>>();

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
    let docs;
    try {
      const text = readFileSync(file, 'utf8');
      docs = parsed.get(text);
      if (!docs) parsed.set(text, (docs = parseAllDocuments(text)));
    } catch (e) {
      throw new ConfigError('backend.manifestsPath', file, `cannot be read: ${(e as Error).message}`, 'point backend.manifestsPath at a folder of Kubernetes YAML files');
    }
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new ConfigError('backend.manifestsPath', file, `is not valid YAML: ${doc.errors[0].message}`, 'fix the file');
      const obj = doc.toJS();
      if (obj === null || obj === undefined) continue;
      if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string' || typeof obj.metadata?.name !== 'string') {
        throw new ConfigError('backend.manifestsPath', file, 'holds a document without apiVersion, kind and metadata.name', 'keep only Kubernetes objects in the backend manifests');
      }
      this.apiObjects.push(new ApiObject(this, `${obj.kind}-${obj.metadata.name}`, obj));
    }
  }
}

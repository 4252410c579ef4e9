import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { readFileSync } from 'fs';
import { loadAll } from 'js-yaml';
import { ConfigError } from '../config/errors';

/** Parsed files by content: every environment loads the same backend manifests. */
const parsed = new Map<string, unknown[]>();

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
    let docs = parsed.get(text);
    if (!docs) {
      try {
        docs = loadAll(text);
      } catch (e) {
        throw new ConfigError('backend.manifestsPath', file, `is not valid YAML: ${(e as Error).message}`, 'fix the file');
      }
      parsed.set(text, docs);
    }
    for (const doc of docs) {
      const obj = structuredClone(doc) as any; // each environment gets objects of its own
      if (obj === null || obj === undefined) continue;
      if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string' || typeof obj.metadata?.name !== 'string') {
        throw new ConfigError('backend.manifestsPath', file, 'holds a document without apiVersion, kind and metadata.name', 'keep only Kubernetes objects in the backend manifests');
      }
      this.apiObjects.push(new ApiObject(this, `${obj.kind}-${obj.metadata.name}`, obj));
    }
  }
}

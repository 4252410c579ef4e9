import { createHash } from 'crypto';
import { dump } from 'js-yaml';
import { isPlainJson, memoize } from '../config/memo';

/**
 * YAML for everything this project writes. js-yaml's `dump` is about twice as fast as the `yaml`
 * package's `stringify` on these objects (measured with `npm run bench`), and writing is a large
 * share of synth time; output is deterministic (key order as built, no anchors, no line folding).
 * Each distinct value is rendered once (lib/config/memo.ts), keyed by the SHA-1 of its JSON text:
 * environments share most objects (same namespace, same dashboards), and JSON.stringify is ~50×
 * cheaper than YAML rendering. JSON keeps key order, as the YAML does, so equal keys are equal YAML.
 */
export function toYaml(value: unknown): string {
  const render = () => dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
  // A Date (a timestamp in a backend manifest) has the JSON of a string but other YAML: not keyed.
  if (!isPlainJson(value)) return render();
  return memoize('yaml', createHash('sha1').update(JSON.stringify(value)).digest('base64'), render);
}

/** A multi-document YAML file (`---` between documents), as `kubectl apply -f` reads it. */
export function toYamlDocuments(docs: readonly unknown[]): string {
  return docs.map(toYaml).join('---\n');
}

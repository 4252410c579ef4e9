import { dump } from 'js-yaml';

/**
 * YAML for everything this project writes. js-yaml's `dump` is about twice as fast as the `yaml`
 * package's `stringify` on these objects (measured with `npm run bench`), and writing is a large
 * share of synth time; output is deterministic (key order as built, no anchors, no line folding).
 */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

/** A multi-document YAML file (`---` between documents), as `kubectl apply -f` reads it. */
export function toYamlDocuments(docs: readonly unknown[]): string {
  return docs.map(toYaml).join('---\n');
}

import { dump } from 'js-yaml';

/**
 * YAML for everything this project writes. js-yaml's `dump` is about twice as fast as the `yaml`
 * package's `stringify` on these objects (measured with `npm run bench`), and writing is a large
 * share of synth time; output is deterministic (key order as built, no anchors, no line folding).
 */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

/**
 * Documents already rendered, by their JSON text: environments share most objects (same namespace,
 * same dashboards), and JSON.stringify is ~50× cheaper than YAML rendering, so each distinct object
 * is rendered once per run.
 */
const rendered = new Map<string, string>();

/** A multi-document YAML file (`---` between documents), as `kubectl apply -f` reads it. */
export function toYamlDocuments(docs: readonly unknown[]): string {
  return docs.map((doc) => {
    const key = JSON.stringify(doc);
    let text = rendered.get(key);
    if (text === undefined) rendered.set(key, (text = toYaml(doc)));
    return text;
  }).join('---\n');
}

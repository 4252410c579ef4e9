import table from '../../versions.json';
import { ConfigError } from './errors';

/**
 * The one version table (versions.json): every image the stack runs, the upstream release it is,
 * and, for programs with a Debian build, the package the tests run. The constructs take their
 * default images from here; the test set-up fetches the same releases; a test fails if they differ.
 */
export type PinnedComponent = keyof typeof table.components;

/** The pinned image reference of a component, e.g. `quay.io/prometheus/prometheus:v3.5.3`. */
export function pinnedImage(component: PinnedComponent): string {
  return table.components[component].image;
}

/** The tag part of an image reference (`repo:tag` or `repo:tag@sha256:…`), or undefined. */
export function imageTag(reference: string): string | undefined {
  const name = reference.split('@')[0];
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? last.split(':')[1] : undefined;
}

/**
 * Refuses an image whose tag is not the tested one. A mirror (another registry, a digest added) is
 * fine; another release is not, because no test has run it.
 */
export function checkPinnedTag(field: string, value: string, component: PinnedComponent): void {
  const pinned = pinnedImage(component);
  const want = imageTag(pinned);
  const got = imageTag(value);
  if (got !== want) {
    throw new ConfigError(
      field, value, `runs release ${got ?? '(no tag)'}, but the tested release is ${want} (versions.json: ${pinned})`,
      `use the tag ${want} (a mirror of ${pinned} is fine), or bump components.${component} in versions.json and run the tests (README, "Tested versions")`,
    );
  }
}

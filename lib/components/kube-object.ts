import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** A Kubernetes object as JSON: apiVersion, kind, metadata and the rest of its fields. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/**
 * Adds one object to the chart exactly as written. Objects are plain Kubernetes JSON rather than
 * cdk8s-plus constructs because cdk8s-plus adds a hashed, construct-path-derived label to selectors
 * (cdk8s issue 2238) and forces security defaults that break these images; every object is checked
 * against the Kubernetes schema with unknown fields refused in the tests instead.
 */
export function kubeObject(scope: Construct, id: string, manifest: Manifest): ApiObject {
  const { apiVersion, kind, metadata, ...rest } = manifest;
  return new ApiObject(scope, id, { apiVersion, kind, metadata, ...rest });
}

/**
 * Strict validation of Kubernetes objects against the official Kubernetes OpenAPI definitions,
 * the way `kubeconform --strict` does it: every object schema that lists `properties` rejects
 * fields it does not list, so a typo such as `imagePullPolice` fails instead of being silently
 * dropped by the API server.
 *
 * Schemas: `schemas/kubernetes/v<version>.json.gz` (see the README there for source and checksums).
 * They are read from the repository only; nothing outside it is needed at test time.
 *
 * Transformations applied to the published definitions before compiling (all in `strictSchema`):
 * - object schemas with `properties` and no `additionalProperties` of their own get
 *   `additionalProperties: false`; maps that declare `additionalProperties` keep it;
 *   objects with neither (e.g. `FieldsV1`, `RawExtension`) stay open;
 * - `x-kubernetes-preserve-unknown-fields: true` keeps the object open (known properties are still
 *   checked);
 * - int-or-string (`format: int-or-string`, `x-kubernetes-int-or-string`, or the `IntOrString`
 *   definition) becomes `type: [integer, string]`; `Quantity` becomes `type: [string, number]`;
 * - the formats the definitions use are checked: int32/int64 (integer range), byte (base64),
 *   date-time (RFC 3339); any other format is ignored;
 * - `description` and the other `x-kubernetes-*` annotations are dropped (no validation meaning).
 *
 * Not covered (the API server checks these, the schema does not say them): value ranges such as
 * `port: 0`, the quantity syntax of strings such as "512MB", name/label syntax, immutability, and
 * cross-field rules. `null` is rejected wherever the schema gives a type (cdk8s never emits null).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

export type K8sVersion = '1.27.0' | '1.31.0';

export const K8S_VERSIONS: readonly K8sVersion[] = ['1.27.0', '1.31.0'];

const SCHEMA_DIR = path.join(__dirname, '..', '..', 'schemas', 'kubernetes');

const INT_OR_STRING_DEF = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY_DEF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Keywords copied through unchanged (after recursion where they hold schemas). */
const KEPT_KEYWORDS = new Set(['type', 'required', 'enum', '$ref', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems']);
const SCHEMA_LIST_KEYWORDS = ['oneOf', 'anyOf', 'allOf'] as const;
const KNOWN_FORMATS = new Set(['int32', 'int64', 'byte', 'double', 'float', 'date-time']);

type JsonSchema = { [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites one (sub)schema of the Kubernetes definitions into a strict JSON schema for ajv.
 * Exported for the validator's own tests.
 */
export function strictSchema(schema: unknown): unknown {
  if (!isPlainObject(schema)) return schema; // booleans (additionalProperties: true) and oddities
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
    return { type: ['integer', 'string'] };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEPT_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (key === 'format') {
      if (typeof value === 'string' && KNOWN_FORMATS.has(value)) out.format = value;
    } else if (key === 'properties' && isPlainObject(value)) {
      const props: JsonSchema = {};
      for (const [name, sub] of Object.entries(value)) props[name] = strictSchema(sub);
      out.properties = props;
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = strictSchema(value);
    } else if ((SCHEMA_LIST_KEYWORDS as readonly string[]).includes(key) && Array.isArray(value)) {
      out[key] = value.map(strictSchema);
    }
    // description, x-kubernetes-* annotations, discriminator data: no validation meaning here.
  }
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if ('properties' in out && !('additionalProperties' in out) && !preserveUnknown) {
    out.additionalProperties = false;
  }
  return out;
}

interface VersionValidator {
  ajv: Ajv;
  /** `apiVersion|kind` → definition name */
  byGvk: Map<string, string>;
  compiled: Map<string, ValidateFunction>;
}

const validators = new Map<K8sVersion, VersionValidator>();

/** Milliseconds spent loading schemas and compiling validators, for the test suite's report. */
export const k8sSchemaTimings = { loadMs: 0, compileMs: 0, compiledDefinitions: 0 };

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

function loadVersion(version: K8sVersion): VersionValidator {
  const cached = validators.get(version);
  if (cached) return cached;
  const started = performance.now();
  const file = path.join(SCHEMA_DIR, `v${version}.json.gz`);
  const raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { definitions?: Record<string, JsonSchema> };
  if (!raw.definitions) throw new Error(`${file}: no "definitions" map`);

  const definitions: JsonSchema = {};
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries(raw.definitions)) {
    if (name === INT_OR_STRING_DEF) {
      definitions[name] = { type: ['integer', 'string'] };
    } else if (name === QUANTITY_DEF) {
      definitions[name] = { type: ['string', 'number'] };
    } else {
      definitions[name] = strictSchema(def);
    }
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks)) continue;
    for (const gvk of gvks as Array<{ group?: string; version?: string; kind?: string }>) {
      if (!gvk.version || !gvk.kind) continue;
      const key = gvkKey(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind);
      // Several definitions share GVKs (DeleteOptions, WatchEvent); prefer the one named after the kind.
      if (!byGvk.has(key) || name.endsWith(`.${gvk.kind}`)) byGvk.set(key, name);
    }
  }

  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, addUsedSchema: false });
  const int = (bits: number) => (n: number) => Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n < 2 ** (bits - 1);
  ajv.addFormat('int32', { type: 'number', validate: int(32) });
  ajv.addFormat('int64', { type: 'number', validate: int(64) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/);
  ajv.addSchema({ $id: schemaId(version), definitions });

  const result: VersionValidator = { ajv, byGvk, compiled: new Map() };
  validators.set(version, result);
  k8sSchemaTimings.loadMs += performance.now() - started;
  return result;
}

function schemaId(version: K8sVersion): string {
  return `https://kubernetes.io/openapi/v${version}/definitions.json`;
}

function validatorFor(version: K8sVersion, definition: string): ValidateFunction {
  const v = loadVersion(version);
  let fn = v.compiled.get(definition);
  if (!fn) {
    const started = performance.now();
    fn = v.ajv.getSchema(`${schemaId(version)}#/definitions/${definition}`);
    if (!fn) throw new Error(`Kubernetes ${version}: cannot compile definition ${definition}`);
    v.compiled.set(definition, fn);
    k8sSchemaTimings.compileMs += performance.now() - started;
    k8sSchemaTimings.compiledDefinitions += 1;
  }
  return fn;
}

/** `/spec/template/spec/containers/0` → `spec.template.spec.containers[0]` */
function jsonPointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => {
      if (/^\d+$/.test(seg)) return `${acc}[${seg}]`;
      if (/^[A-Za-z_$][\w$-]*$/.test(seg)) return acc ? `${acc}.${seg}` : seg;
      return `${acc}[${JSON.stringify(seg)}]`;
    }, '');
}

function child(parent: string, key: string): string {
  return jsonPointerToPath(`${parent}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}` : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function formatError(err: ErrorObject, obj: unknown): string {
  const at = jsonPointerToPath(err.instancePath) || '(root)';
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return `${child(err.instancePath, String(p.additionalProperty))}: unknown field "${String(p.additionalProperty)}"`;
    case 'required':
      return `${child(err.instancePath, String(p.missingProperty))}: required field is missing`;
    case 'type':
      return `${at}: must be ${String(p.type).replace(',', ' or ')}, got ${describeValue(valueAt(obj, err.instancePath))}`;
    case 'enum':
      return `${at}: must be one of ${JSON.stringify(p.allowedValues)}, got ${describeValue(valueAt(obj, err.instancePath))}`;
    case 'format':
      return `${at}: must match format "${String(p.format)}", got ${describeValue(valueAt(obj, err.instancePath))}`;
    default:
      return `${at}: ${err.message ?? err.keyword}`;
  }
}

/**
 * Validates one Kubernetes object (as synthesized, e.g. one YAML document) against the Kubernetes
 * `version` OpenAPI schema, strictly (unknown fields are errors).
 *
 * @returns human-readable errors, each `Kind/name (apiVersion, k8s version) path: problem`; empty when valid.
 */
export function validateK8sObject(obj: unknown, version: K8sVersion): string[] {
  if (!K8S_VERSIONS.includes(version)) return [`unsupported Kubernetes schema version ${String(version)} (have ${K8S_VERSIONS.join(', ')})`];
  if (!isPlainObject(obj)) return [`(k8s ${version}) not a Kubernetes object: ${describeValue(obj)}`];
  const { apiVersion, kind } = obj;
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '<unnamed>';
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  const label = `${typeof kind === 'string' ? kind : '<no kind>'}/${ns}${name} (${typeof apiVersion === 'string' ? apiVersion : '<no apiVersion>'}, k8s ${version})`;

  if (typeof apiVersion !== 'string' || apiVersion === '') return [`${label} apiVersion: required string field is missing`];
  if (typeof kind !== 'string' || kind === '') return [`${label} kind: required string field is missing`];

  const v = loadVersion(version);
  const definition = v.byGvk.get(gvkKey(apiVersion, kind));
  if (!definition) {
    const sameKind = [...v.byGvk.keys()].filter((k) => k.endsWith(`|${kind}`)).map((k) => k.split('|')[0]);
    const hint = sameKind.length ? ` (Kubernetes ${version} serves ${kind} as ${sameKind.join(', ')})` : '';
    return [`${label}: unknown apiVersion/kind ${apiVersion} ${kind} in the Kubernetes ${version} schema${hint}`];
  }
  const validate = validatorFor(version, definition);
  if (validate(obj)) return [];
  const messages = (validate.errors ?? []).map((e) => `${label} ${formatError(e, obj)}`);
  return [...new Set(messages)];
}

/** Validates against every supported version; errors are prefixed by version via the label. */
export function validateK8sObjectAllVersions(obj: unknown): string[] {
  return K8S_VERSIONS.flatMap((version) => validateK8sObject(obj, version));
}

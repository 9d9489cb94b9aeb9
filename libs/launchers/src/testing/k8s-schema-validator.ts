import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** The vendored Kubernetes version the schemas come from (tools/k8s-schemas/README.md). */
export const K8S_SCHEMA_VERSION = 'v1.37.0';
const schemaDir = join(__dirname, '..', '..', '..', '..', 'tools', 'k8s-schemas', K8S_SCHEMA_VERSION);

/** Validates an object against a vendored kind schema (e.g. `job-batch-v1`); returns the errors as lines. */
export function validateKubernetesObject(kindFile: string, object: unknown): string[] {
  const validate = compiled.get(kindFile) ?? compile(kindFile);
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

const compiled = new Map<string, ValidateFunction>();

function compile(kindFile: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(schemaDir, `${kindFile}.json`), 'utf8')) as object;
  // The schemas carry x-kubernetes-* annotations ajv does not know: not strict about keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  compiled.set(kindFile, validate);
  return validate;
}

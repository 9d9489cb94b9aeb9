import { parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Every non-empty YAML document of a file or a rendered stream; a YAML error names the source. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) throw new Error(`${source} (document ${index + 1}): ${document.errors[0].message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function isKubernetesObject(value: unknown): value is KubernetesObject {
  const object = value as Partial<KubernetesObject> | null;
  return typeof object === 'object' && object !== null && typeof object.apiVersion === 'string' && typeof object.kind === 'string';
}

/** `Kind/name` for messages. */
export const describeObject = (object: KubernetesObject): string => `${object.kind}/${object.metadata?.name ?? '(no name)'}`;

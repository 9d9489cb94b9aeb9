import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { repoPath } from './repo';
import type { KubernetesObject } from './yaml-documents';

/** The Kubernetes version whose OpenAPI schemas are vendored in tools/k8s-schemas (see its README). */
export const K8S_SCHEMA_VERSION = 'v1.37.0';

/** Schema file of every apiVersion/kind StreamForge ships; anything else is an error, not a pass. */
const SCHEMA_FILES: Record<string, string> = {
  'v1/Namespace': `${K8S_SCHEMA_VERSION}/namespace-v1.json`,
  'v1/ConfigMap': `${K8S_SCHEMA_VERSION}/configmap-v1.json`,
  'v1/Secret': `${K8S_SCHEMA_VERSION}/secret-v1.json`,
  'v1/Service': `${K8S_SCHEMA_VERSION}/service-v1.json`,
  'v1/ServiceAccount': `${K8S_SCHEMA_VERSION}/serviceaccount-v1.json`,
  'apps/v1/Deployment': `${K8S_SCHEMA_VERSION}/deployment-apps-v1.json`,
  'batch/v1/Job': `${K8S_SCHEMA_VERSION}/job-batch-v1.json`,
  'networking.k8s.io/v1/Ingress': `${K8S_SCHEMA_VERSION}/ingress-networking-v1.json`,
  'networking.k8s.io/v1/NetworkPolicy': `${K8S_SCHEMA_VERSION}/networkpolicy-networking-v1.json`,
  'rbac.authorization.k8s.io/v1/Role': `${K8S_SCHEMA_VERSION}/role-rbac-v1.json`,
  'rbac.authorization.k8s.io/v1/RoleBinding': `${K8S_SCHEMA_VERSION}/rolebinding-rbac-v1.json`,
  'kafka.strimzi.io/v1/KafkaTopic': 'strimzi/kafkatopic_v1.json',
  'kafka.strimzi.io/v1/KafkaUser': 'strimzi/kafkauser_v1.json',
  'keda.sh/v1alpha1/ScaledJob': 'keda/scaledjob_v1alpha1.json',
  'keda.sh/v1alpha1/TriggerAuthentication': 'keda/triggerauthentication_v1alpha1.json',
};

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Validates Kubernetes and Strimzi objects against the vendored schemas, plus the admission rules the schemas lack. */
export function createManifestValidator(): (object: KubernetesObject) => string[] {
  // The schemas carry x-kubernetes-* annotations ajv does not know: not strict about keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();

  return (object) => {
    const key = `${object.apiVersion}/${object.kind}`;
    const file = SCHEMA_FILES[key];
    if (!file) return [`no vendored schema for ${key}: add it to tools/k8s-schemas and manifest-validator.ts`];
    let validate = compiled.get(file);
    if (!validate) {
      validate = ajv.compile(JSON.parse(readFileSync(repoPath('tools', 'k8s-schemas', file), 'utf8')) as object);
      compiled.set(file, validate);
    }
    const errors = validate(object)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return [...errors, ...admissionErrors(object)];
  };
}

function admissionErrors(object: KubernetesObject): string[] {
  const errors: string[] = [];
  const name = object.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) errors.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  if (object.kind === 'Job' && typeof name === 'string' && name.length > 63) errors.push(`metadata.name ${name} is longer than 63 characters (a Job's name becomes a Pod label)`);
  const labelSets = [object.metadata?.labels, (object as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels];
  for (const labels of labelSets) {
    for (const [key, value] of Object.entries(labels ?? {})) {
      if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`label ${key}=${JSON.stringify(value)} is not a valid label value`);
    }
  }
  return errors;
}

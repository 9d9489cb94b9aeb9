import { listRepoFiles, readRepoFile } from './repo';
import { isKubernetesObject, parseYamlDocuments, type KubernetesObject } from './yaml-documents';

export interface ManifestFile {
  path: string;
  objects: KubernetesObject[];
}

/**
 * Every complete manifest under deploy/: base, jobs, secret template and Strimzi resources. Overlay
 * files are patches (partial objects) and kustomization.yaml files are not Kubernetes objects; both
 * are checked through their rendered output instead.
 */
export function loadManifestFiles(): ManifestFile[] {
  return listRepoFiles('deploy', (name) => /\.ya?ml$/.test(name))
    .filter((path) => !path.startsWith('deploy/overlays/') && !/kustomization\.ya?ml$/.test(path))
    .map((path) => {
      const documents = parseYamlDocuments(readRepoFile(path), path);
      const objects = documents.filter(isKubernetesObject);
      if (objects.length !== documents.length) throw new Error(`${path}: a document without apiVersion/kind`);
      return { path, objects };
    });
}

/** Every kustomization directory under deploy/. */
export const kustomizationDirs = (): string[] =>
  listRepoFiles('deploy', (name) => name === 'kustomization.yaml').map((path) => path.replace(/\/kustomization\.yaml$/, ''));

/** The one object of a kind and name in the given files; a clear error when absent or duplicated. */
export function findObject<T = KubernetesObject>(files: ManifestFile[], kind: string, name: string): T & KubernetesObject {
  const matches = files.flatMap((file) => file.objects).filter((o) => o.kind === kind && o.metadata?.name === name);
  if (matches.length !== 1) throw new Error(`expected exactly one ${kind}/${name} under deploy/, found ${matches.length}`);
  return matches[0] as T & KubernetesObject;
}

export interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
export interface Probe { httpGet?: { path: string; port: string | number } }
export interface PodSpec {
  restartPolicy?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object; secret?: { secretName: string } }>;
  nodeSelector?: Record<string, string>;
}
export interface WorkloadSpec {
  replicas?: number;
  backoffLimit?: number;
  ttlSecondsAfterFinished?: number;
  activeDeadlineSeconds?: number;
  strategy?: { type: string };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
}
export interface Workload { spec: WorkloadSpec }
export interface DataObject { data?: Record<string, string>; stringData?: Record<string, string> }

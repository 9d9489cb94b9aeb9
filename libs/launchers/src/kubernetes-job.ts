import type { V1Job } from '@kubernetes/client-node';
import type { WorkerSpec } from './worker-launcher';
import { IMAGE_WORKER_SCRIPT, workerArgv } from './worker-node-args';

/** Cluster-side settings of the Kubernetes launcher (see docs/worker-job-shape.md). */
export interface KubernetesJobConfig {
  namespace: string;
  workerConfigMap: string;
  /** The Secret each role's workers get with envFrom (its own Kafka user; Arango or Binance keys only where needed). */
  workerSecrets: Record<WorkerRole, string>;
  /** Secret holding the Kafka cluster CA (Strimzi's `<cluster>-cluster-ca-cert`); no volume when empty. */
  kafkaCaSecret?: string;
  /**
   * Secret holding the CA of an https ArangoDB with a private CA (key `ca.crt`, as cert-manager and
   * Strimzi write it); mounted into the sink only, which then reads it from ARANGO_CA_PATH. None when empty.
   */
  arangoCaSecret?: string;
  nodeSelector: Record<string, string>;
  imageRegistry: string;
  imageTag: string;
  /** Per-target image overrides (full image references). */
  images: Record<string, string>;
  backoffLimit: number;
  ttlSecondsAfterFinished: number;
  /** Wall-clock limit of a Job (all its Pods and retries); Kubernetes then ends it as failed. */
  activeDeadlineSeconds: number;
}

/** Least privilege: each worker runs as its role, with that role's Kafka user and credentials only. */
export type WorkerRole = 'loader' | 'sink' | 'dummy-service';
const ROLE_OF_TARGET: Readonly<Record<string, WorkerRole>> = {
  'loader-api-candles': 'loader',
  'loader-ws-candles': 'loader',
  'arango-candles': 'sink',
  'dummy-service': 'dummy-service',
};

/** The role a worker app runs as; an unknown target is refused rather than given someone's credentials. */
export function workerRole(target: string): WorkerRole {
  const role = ROLE_OF_TARGET[target];
  if (!role) throw new Error(`no credentials role for target ${target}: expected one of ${Object.keys(ROLE_OF_TARGET).join(', ')}`);
  return role;
}

export const KAFKA_CA_MOUNT = '/etc/streamforge/kafka-ca';
export const ARANGO_CA_MOUNT = '/etc/streamforge/arango-ca';
const METRICS_PORT = 8000;
/**
 * Memory a worker is scheduled with: at least its measured peak RSS (bench:loader 192 MB,
 * bench:sink 243 MB), so a busy node never evicts it first; the 512Mi limit leaves headroom.
 */
const MEMORY_REQUESTS: Readonly<Record<string, string>> = { 'loader-api-candles': '256Mi', 'arango-candles': '256Mi' };

/** The container resources of a target's Job. */
function workerResources(target: string): { requests: { cpu: string; memory: string }; limits: { memory: string } } {
  return { requests: { cpu: '100m', memory: MEMORY_REQUESTS[target] ?? '128Mi' }, limits: { memory: '512Mi' } };
}

/**
 * The image a target runs: the per-target override or `<registry>/streamforge/<target>:<tag>`, both
 * from queue-manager's configuration; a caller never chooses it.
 */
export function workerImage(target: string, config: Pick<KubernetesJobConfig, 'images' | 'imageRegistry' | 'imageTag'>): string {
  return config.images[target] ?? `${config.imageRegistry.replace(/\/+$/, '')}/streamforge/${target}:${config.imageTag}`;
}

/** Exactly the Job shape of docs/worker-job-shape.md for one worker. */
export function buildWorkerJob(spec: WorkerSpec, config: KubernetesJobConfig): V1Job {
  const hasCa = Boolean(config.kafkaCaSecret);
  const hasArangoCa = Boolean(config.arangoCaSecret) && workerRole(spec.target) === 'sink';
  const env = Object.entries({ ...spec.env, ...(hasArangoCa ? { ARANGO_CA_PATH: `${ARANGO_CA_MOUNT}/ca.crt` } : {}) }).map(([name, value]) => ({ name, value }));
  const volumeMounts = [
    ...(hasCa ? [{ name: 'kafka-ca', mountPath: KAFKA_CA_MOUNT, readOnly: true }] : []),
    ...(hasArangoCa ? [{ name: 'arango-ca', mountPath: ARANGO_CA_MOUNT, readOnly: true }] : []),
  ];
  const volumes = [
    ...(hasCa ? [{ name: 'kafka-ca', secret: { secretName: config.kafkaCaSecret } }] : []),
    ...(hasArangoCa ? [{ name: 'arango-ca', secret: { secretName: config.arangoCaSecret } }] : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.jobName, namespace: config.namespace, labels: { ...spec.labels } },
    spec: {
      backoffLimit: config.backoffLimit,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      activeDeadlineSeconds: config.activeDeadlineSeconds,
      template: {
        metadata: { labels: { ...spec.labels } },
        spec: {
          restartPolicy: 'Never',
          // Pod Security `restricted`: workers never call the Kubernetes API, so no token is mounted.
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: spec.target,
              image: workerImage(spec.target, config),
              // The same argv as the local launcher: `args` alone would replace the image's CMD (node and the script).
              command: ['node', ...workerArgv(spec.target, IMAGE_WORKER_SCRIPT, [])],
              ...(spec.args.length > 0 ? { args: [...spec.args] } : {}),
              env,
              envFrom: [{ configMapRef: { name: config.workerConfigMap } }, { secretRef: { name: config.workerSecrets[workerRole(spec.target)] } }],
              ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
              ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
              resources: workerResources(spec.target),
              securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          ...(volumes.length > 0 ? { volumes } : {}),
          ...(Object.keys(config.nodeSelector).length > 0 ? { nodeSelector: { ...config.nodeSelector } } : {}),
        },
      },
    },
  };
}

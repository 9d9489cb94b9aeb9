import { ApiException, BatchV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { Logger } from '@streamforge/logging';
import { LaunchError, LauncherError } from './errors';
import { buildWorkerJob, type KubernetesJobConfig } from './kubernetes-job';
import { kubernetesNameProblem, labelValue } from './kubernetes-names';
import type { WorkerInfo, WorkerLauncher, WorkerSpec } from './worker-launcher';

export interface KubernetesLauncherConfig extends KubernetesJobConfig {
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  kubeconfigPath?: string;
}

/** Runs each worker as one batch/v1 Job through the Kubernetes API. */
export function createKubernetesLauncher(config: KubernetesLauncherConfig, deps: { logger: Logger }): WorkerLauncher {
  const log = deps.logger.child({ component: 'kubernetes-launcher' });
  const kubeConfig = new KubeConfig();
  if (config.kubeconfigPath) kubeConfig.loadFromFile(config.kubeconfigPath);
  else kubeConfig.loadFromDefault();
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const namespace = config.namespace;

  const check = async (spec: WorkerSpec) => {
    const problem = kubernetesNameProblem(spec.jobName, spec.labels);
    if (problem) throw new LaunchError(spec.jobName, problem);
  };

  return {
    kind: 'kubernetes',
    check,
    async launch(spec) {
      await check(spec);
      const job = buildWorkerJob(spec, config);
      try {
        await batch.createNamespacedJob({ namespace, body: job });
        log.info({ job: spec.jobName, namespace, image: job.spec?.template.spec?.containers[0].image }, 'job created');
      } catch (error) {
        // A retried start may find its own Job already there: that is the state we wanted.
        if (error instanceof ApiException && error.code === 409) {
          log.warn({ job: spec.jobName }, 'job already exists');
          return;
        }
        throw new LaunchError(spec.jobName, `the API server refused the Job: ${describeApiError(error)}`, { cause: error, retriable: isRetriable(error), status: statusOf(error) });
      }
    },
    async stop(jobName) {
      try {
        // Background propagation deletes the Job's pods too (the default orphans them).
        await batch.deleteNamespacedJob({ name: jobName, namespace, propagationPolicy: 'Background' });
        log.info({ job: jobName }, 'job deleted');
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return;
        throw new LauncherError(`cannot delete job ${jobName}: ${describeApiError(error)}`, isRetriable(error), { cause: error });
      }
    },
    async list(queueId) {
      const selector = queueId ? `app=streamforge,queue_id=${labelValue(queueId)}` : 'app=streamforge';
      const jobs = await batch.listNamespacedJob({ namespace, labelSelector: selector });
      return jobs.items.map(jobInfo);
    },
    async close() {
      // Jobs keep running: a restarted queue-manager picks their telemetry up again.
    },
  };
}

function jobInfo(job: V1Job): WorkerInfo {
  const status = job.status ?? {};
  const failedCondition = status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const phase = status.succeeded ? 'succeeded' : failedCondition ? 'failed' : 'running';
  return {
    jobName: job.metadata?.name ?? '',
    queueId: job.metadata?.labels?.queue_id ?? '',
    target: job.metadata?.labels?.target ?? '',
    phase,
    restarts: Math.max(0, (status.failed ?? 0) - (phase === 'failed' ? 1 : 0)),
    detail: failedCondition?.message ?? undefined,
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function isRetriable(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status === 429 || status >= 500;
}

function describeApiError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: string } | string | undefined;
    const message = typeof body === 'string' ? safeMessage(body) : body?.message;
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

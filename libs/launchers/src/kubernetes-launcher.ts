import { ApiException, BatchV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { Logger } from '@streamforge/logging';
import { LaunchError, LauncherError } from './errors';
import { buildWorkerJob, type KubernetesJobConfig } from './kubernetes-job';
import { kubernetesNameProblem, labelValue } from './kubernetes-names';
import type { WorkerExitListener, WorkerInfo, WorkerLauncher, WorkerSpec } from './worker-launcher';

export interface KubernetesLauncherConfig extends KubernetesJobConfig {
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  kubeconfigPath?: string;
  /** How often the Jobs are listed to find the ones that ended (ms); default 10 s. */
  jobPollMs?: number;
}

export interface KubernetesLauncherDeps {
  logger: Logger;
  /**
   * Told once about every StreamForge Job that failed or succeeded, including Jobs that ended
   * while queue-manager was down: a worker that dies without its last event (OOM-killed, image
   * not pullable, evicted) would otherwise stay `loading` for ever.
   */
  onExit?: WorkerExitListener;
}

/** Runs each worker as one batch/v1 Job through the Kubernetes API. */
export function createKubernetesLauncher(config: KubernetesLauncherConfig, deps: KubernetesLauncherDeps): WorkerLauncher {
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

  /** The StreamForge Jobs in the namespace, of one queue or all. */
  const listJobs = async (queueId?: string): Promise<V1Job[]> => {
    const selector = queueId ? `app=streamforge,queue_id=${labelValue(queueId)}` : 'app=streamforge';
    return (await batch.listNamespacedJob({ namespace, labelSelector: selector })).items;
  };

  // Jobs already reported as ended (by uid: a Job deleted and created again under its name is new).
  const reported = new Set<string>();
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let closed = false;
  const pollEndedJobs = async (onExit: WorkerExitListener) => {
    try {
      const jobs = await listJobs();
      const present = new Set<string>();
      for (const job of jobs) {
        const info = jobInfo(job);
        const id = job.metadata?.uid ?? info.jobName;
        present.add(id);
        if (info.phase === 'running' || reported.has(id)) continue;
        reported.add(id);
        log.info({ job: info.jobName, phase: info.phase, detail: info.detail }, 'job ended');
        onExit(info);
      }
      // Forget Jobs that are gone (TTL, stop), so the set stays as small as the namespace.
      for (const id of reported) if (!present.has(id)) reported.delete(id);
    } catch (error) {
      log.warn({ err: describeApiError(error) }, 'cannot list the Jobs to see which ended; trying again');
    }
  };
  const schedulePoll = () => {
    const onExit = deps.onExit;
    if (!onExit || closed) return;
    pollTimer = setTimeout(() => {
      polling = pollEndedJobs(onExit).finally(schedulePoll);
    }, config.jobPollMs ?? 10_000);
    pollTimer.unref();
  };
  // The first look is one period after start: the caller finishes wiring its listener first.
  schedulePoll();

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
      return (await listJobs(queueId)).map(jobInfo);
    },
    async close() {
      // Jobs keep running: a restarted queue-manager picks their telemetry (and their ends) up again.
      closed = true;
      clearTimeout(pollTimer);
      // A look already under way ends before close returns: no API call after it.
      await polling;
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

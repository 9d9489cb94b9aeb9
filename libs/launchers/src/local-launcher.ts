import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@streamforge/logging';
import { LaunchError } from './errors';
import { workerArgv } from './worker-node-args';
import type { WorkerExitListener, WorkerInfo, WorkerLauncher, WorkerPhase, WorkerSpec } from './worker-launcher';

export interface LocalLauncherConfig {
  /** Folder holding `apps/<target>/main.js` (the workspace's `dist`). */
  bundleRoot: string;
  /** Restarts after a crash (non-zero exit), like the Job's backoffLimit. */
  backoffLimit: number;
  /** SIGTERM, then SIGKILL after this many ms. */
  stopGraceMs: number;
  /** First restart delay; doubles with each restart. */
  restartDelayMs?: number;
  /** The environment workers inherit (Kafka, store, Binance settings), under the per-run values. */
  baseEnv: NodeJS.ProcessEnv;
}

export interface LocalLauncherDeps {
  logger: Logger;
  /** Where the workers' prefixed output lines go; default process.stdout. */
  output?: (line: string) => void;
  onExit?: WorkerExitListener;
}

interface LocalWorker {
  spec: WorkerSpec;
  child?: ChildProcess;
  phase: WorkerPhase;
  restarts: number;
  stopping: boolean;
  detail?: string;
  exited?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
}

/** Runs each worker as a child process of queue-manager: `node [workerNodeArgs] dist/apps/<target>/main.js`. */
export function createLocalLauncher(config: LocalLauncherConfig, deps: LocalLauncherDeps): WorkerLauncher {
  const log = deps.logger.child({ component: 'local-launcher' });
  const output = deps.output ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const workers = new Map<string, LocalWorker>();
  const restartDelayMs = config.restartDelayMs ?? 500;

  const bundleOf = (target: string) => join(config.bundleRoot, 'apps', target, 'main.js');

  const check = async (spec: WorkerSpec) => {
    const bundle = bundleOf(spec.target);
    if (!existsSync(bundle)) {
      throw new LaunchError(spec.jobName, `the ${spec.target} bundle ${relative(process.cwd(), bundle) || bundle} does not exist; build it with: npx nx build ${spec.target}`);
    }
  };

  const start = (worker: LocalWorker) => {
    const { spec } = worker;
    // Every worker binds its own free metrics port: several run side by side on one machine.
    const env = { ...config.baseEnv, ...spec.env, METRICS_PORT: '0' };
    const child = spawn(process.execPath, workerArgv(spec.target, bundleOf(spec.target), spec.args), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.child = child;
    worker.phase = 'running';
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => output(`[${spec.jobName}] ${line}`));
    }
    worker.exited = new Promise<void>((resolve) => {
      child.on('error', (error) => {
        log.error({ job: spec.jobName, err: error.message }, 'worker process error');
      });
      // 'close', not 'exit': 'exit' can come before the worker's last lines are read from its
      // pipes, and whoever sees the exit (a restart, a stop, the logs) must have seen them.
      child.on('close', (code, signal) => {
        resolve();
        onExit(worker, code, signal);
      });
    });
    log.info({ job: spec.jobName, pid: child.pid, attempt: worker.restarts + 1 }, 'worker started');
  };

  const onExit = (worker: LocalWorker, code: number | null, signal: NodeJS.Signals | null) => {
    const { spec } = worker;
    worker.child = undefined;
    worker.detail = code !== null ? `exit code ${code}` : `signal ${signal}`;
    if (worker.stopping) {
      worker.phase = 'stopped';
      log.info({ job: spec.jobName, detail: worker.detail }, 'worker stopped');
      return;
    }
    if (code === 0) {
      worker.phase = 'succeeded';
      log.info({ job: spec.jobName }, 'worker finished');
      deps.onExit?.(info(worker));
      return;
    }
    if (worker.restarts < config.backoffLimit) {
      const delay = restartDelayMs * 2 ** worker.restarts;
      worker.restarts += 1;
      log.warn({ job: spec.jobName, detail: worker.detail, restart: worker.restarts, backoffLimit: config.backoffLimit, delayMs: delay }, 'worker crashed; restarting');
      worker.restartTimer = setTimeout(() => {
        worker.restartTimer = undefined;
        if (!worker.stopping) start(worker);
      }, delay);
      return;
    }
    worker.phase = 'failed';
    log.error({ job: spec.jobName, detail: worker.detail, restarts: worker.restarts }, 'worker failed; backoff limit reached');
    deps.onExit?.(info(worker));
  };

  const stop = async (jobName: string) => {
    const worker = workers.get(jobName);
    if (!worker) return;
    worker.stopping = true;
    if (worker.restartTimer) {
      clearTimeout(worker.restartTimer);
      worker.restartTimer = undefined;
      worker.phase = 'stopped';
    }
    const child = worker.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      log.warn({ job: jobName, graceMs: config.stopGraceMs }, 'worker ignored SIGTERM; killing it');
      child.kill('SIGKILL');
    }, config.stopGraceMs);
    await worker.exited;
    clearTimeout(killTimer);
  };

  return {
    kind: 'local',
    check,
    async launch(spec) {
      await check(spec);
      const existing = workers.get(spec.jobName);
      if (existing && existing.phase === 'running') return;
      const worker: LocalWorker = { spec, phase: 'running', restarts: 0, stopping: false };
      workers.set(spec.jobName, worker);
      start(worker);
    },
    stop,
    async list(queueId) {
      return [...workers.values()].filter((w) => !queueId || w.spec.queueId === queueId).map(info);
    },
    async close() {
      await Promise.all([...workers.keys()].map((jobName) => stop(jobName)));
    },
  };
}

function info(worker: LocalWorker): WorkerInfo {
  return { jobName: worker.spec.jobName, queueId: worker.spec.queueId, target: worker.spec.target, phase: worker.phase, restarts: worker.restarts, detail: worker.detail };
}

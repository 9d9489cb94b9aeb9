/** What a launcher needs to run one worker of one queue. */
export interface WorkerSpec {
  queueId: string;
  /** The worker app: loader-api-candles | loader-ws-candles | arango-candles | dummy-service. */
  target: string;
  /** Kubernetes Job name (DNS-1123, at most 63 characters); the local launcher's process name. */
  jobName: string;
  /** Labels (values at most 63 characters): app, queue_id, target. */
  labels: Record<string, string>;
  /** Per-run environment only (QUEUE_ID, SYMBOL, TYPE, ...); never credentials. */
  env: Record<string, string>;
  /** Flags after the script, already checked against the target's allow-list. */
  args: string[];
}

export type WorkerPhase = 'running' | 'succeeded' | 'failed' | 'stopped';

export interface WorkerInfo {
  jobName: string;
  queueId: string;
  target: string;
  phase: WorkerPhase;
  /** Times the worker was started again after a failure. */
  restarts: number;
  /** Exit code (local) or failure reason (Kubernetes), when known. */
  detail?: string;
}

/**
 * The port queue-manager starts and ends workers through: Kubernetes Jobs in production, child
 * processes locally. Implementations never hold credentials in what they create.
 */
export interface WorkerLauncher {
  readonly kind: 'kubernetes' | 'local';
  /** Throws LaunchError when the spec cannot run here (missing bundle, invalid name), creating nothing. */
  check(spec: WorkerSpec): Promise<void>;
  launch(spec: WorkerSpec): Promise<void>;
  /** Ends one worker now (kill the process / delete the Job); a no-op when it is not running. */
  stop(jobName: string): Promise<void>;
  /** Workers this launcher knows, optionally of one queue. */
  list(queueId?: string): Promise<WorkerInfo[]>;
  /** Local: ends every worker it started. Kubernetes: nothing (Jobs belong to the cluster). */
  close(): Promise<void>;
}

/** Called when a worker ended for good on its own (not through stop): queue-manager records it. */
export type WorkerExitListener = (info: WorkerInfo) => void;

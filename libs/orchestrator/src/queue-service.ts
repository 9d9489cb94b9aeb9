import type { Kafka } from 'kafkajs';
import { describeKafkaError, ensureTopics, InvalidOutgoingMessageError } from '@streamforge/kafka';
import type { WorkerInfo, WorkerLauncher } from '@streamforge/launchers';
import type { Logger } from '@streamforge/logging';
import type { QueueState, StartFlowRequest, StartQueueRequest, StartQueueResult, TelemetryEvent } from '@streamforge/schemas';
import type { CommandPublisher } from './command-publisher';
import { DeadlineExceededError, withinDeadline } from './deadline';
import { AdmissionError, DependencyUnavailableError, QueueConflictError, QueueNotFoundError, StartFailedError } from './errors';
import { flowToStartRequest, type FlowCatalog } from './flow-catalog';
import type { QueueManagerMetrics } from './queue-manager-metrics';
import { applyEvent, failTarget, newQueueState, requestStop, TERMINAL_QUEUE } from './queue-state-reducer';
import type { QueueCursor, QueuePageQuery, QueueStateRepository } from './queue-state-repository';
import { loadSignature, StartAdmission } from './start-admission';
import { DEFAULT_RANGE_LIMITS, planStart, type QueuePlan } from './start-plan';
import { runningJobNames, runningTargets, StopSupervisor } from './stop-supervisor';
import { startTopicsFor } from './start-topics';
import { workerSpecsFor } from './worker-spec';

export interface QueueServiceConfig {
  dataTopicPartitions: number;
  /** How often an unanswered stop is published again. */
  stopRepeatMs: number;
  /** After this, the launcher ends what still runs and the target is marked interrupted. */
  stopGraceMs: number;
  /** How long a worker's last events may take to arrive after its process/Job ended. */
  exitEventGraceMs: number;
  /** Most candles one candle target may load; default DEFAULT_RANGE_LIMITS.maxCandles. */
  maxRangeCandles?: number;
  /** Admission: queues running or starting at once. */
  maxRunningQueues: number;
  /** Admission: starts in progress at once. */
  maxConcurrentStarts: number;
  /** Admission: worker instances running or starting at once (default DEFAULT_MAX_RUNNING_WORKERS). */
  maxRunningWorkers?: number;
  /** A start's Kafka steps (topics, start commands) together; past it the start fails with 503. */
  startKafkaTimeoutMs: number;
  /** Attempts to record a worker's exit when the store fails (1 s, 2 s, 4 s… apart). */
  exitRecordAttempts?: number;
}

export interface QueueServiceDeps {
  kafka: Kafka;
  commands: CommandPublisher;
  launcher: WorkerLauncher;
  repository: QueueStateRepository;
  flows: FlowCatalog;
  logger: Logger;
  metrics: QueueManagerMetrics;
}

const now = () => Date.now() / 1000;
const EXIT_RECORD_FIRST_DELAY_MS = 1_000;

/** The queue workflows: start (admit → topics → persist → commands → launch), stop, follow telemetry. */
export class QueueService {
  private readonly log: Logger;
  private readonly exitTimers = new Set<NodeJS.Timeout>();
  private readonly admission: StartAdmission;
  private readonly supervisor: StopSupervisor;
  private closed = false;

  constructor(private readonly config: QueueServiceConfig, private readonly deps: QueueServiceDeps) {
    this.log = deps.logger.child({ component: 'queue-service' });
    this.admission = new StartAdmission(config);
    this.supervisor = new StopSupervisor(config, deps);
  }

  /** Picks up stops that were in progress when queue-manager last stopped, and queues left half-errored. */
  async resume(): Promise<void> {
    let states: QueueState[];
    try {
      states = (await this.queuesWithActivity()).states;
    } catch (error) {
      // The launcher (Kubernetes API) may be briefly away: live queues are still resumed.
      this.log.warn({ err: error }, 'cannot list the workers; resuming the live queues only');
      states = this.deps.repository.listLive();
    }
    for (const state of states) {
      if (runningTargets(state).length === 0) continue;
      if (state.stop_requested_at !== null) this.supervisor.supervise(state.queue_id, state.stop_requested_at);
      else await this.stopSiblingsOfError(state);
    }
  }

  /** One page of every queue (live and ended), newest first. */
  list(query: QueuePageQuery): Promise<{ queues: QueueState[]; next: QueueCursor | null }> {
    return this.deps.repository.page(query);
  }

  /** Live queues, plus ended ones whose workers the launcher still runs (a sibling of an errored target). */
  private async queuesWithActivity(): Promise<{ states: QueueState[]; withWorkers: Set<string> }> {
    const withWorkers = new Set((await this.deps.launcher.list()).filter((w) => w.phase === 'running').map((w) => w.queueId));
    const states = this.deps.repository.listLive();
    const known = new Set(states.map((s) => s.queue_id));
    for (const queueId of withWorkers) {
      if (known.has(queueId)) continue;
      const state = await this.deps.repository.get(queueId);
      if (state) states.push(state);
    }
    return { states, withWorkers };
  }

  async get(queueId: string): Promise<QueueState> {
    const state = await this.deps.repository.get(queueId);
    if (!state) throw new QueueNotFoundError(queueId);
    return state;
  }

  async startFlow(request: StartFlowRequest): Promise<StartQueueResult> {
    const startRequest = flowToStartRequest(this.deps.flows, request);
    return this.start(startRequest, { flowName: request.flow_name, original: request as Record<string, unknown> });
  }

  /**
   * Admits the start (limits, duplicate load) one request at a time, then runs it concurrently
   * with others: a start waiting on Kafka never holds up the admission of the next one.
   */
  async start(request: StartQueueRequest, options: { flowName?: string; original?: Record<string, unknown> } = {}): Promise<StartQueueResult> {
    const plan = planStart(request, { ...options, limits: { maxCandles: this.config.maxRangeCandles ?? DEFAULT_RANGE_LIMITS.maxCandles, now: Date.now() } });
    const signature = loadSignature(plan.symbol, plan.timeRange, plan.targets);
    let release: () => void;
    try {
      const workers = plan.targets.reduce((sum, t) => sum + t.instances.length, 0);
      release = await this.admission.admit(plan.queueId, { signature, workers }, (inFlight) => this.checkAdmission(plan, signature, inFlight));
    } catch (error) {
      if (error instanceof AdmissionError) this.deps.metrics.startsRefused.inc({ limit: error.limit });
      throw error;
    }
    try {
      return await this.startAdmitted(plan);
    } finally {
      release();
    }
  }

  /** Running queues and their running workers (for the limits); throws when the same load is running or starting. */
  private async checkAdmission(plan: QueuePlan, signature: string, inFlight: ReadonlySet<string>): Promise<{ runningQueues: number; runningWorkers: number }> {
    const conflict = (detail: string, queueId: string) =>
      new QueueConflictError(`the same load (${plan.symbol} ${plan.type} ${plan.timeRange}) is ${detail}; stop it or wait for it to end`, queueId);
    if (inFlight.has(signature)) throw conflict('being started by another request', plan.queueId);
    // A queue's status says `error` as soon as one target failed, while its other workers may
    // still run (until the stop reaches them): what the launcher still runs counts as well.
    const { states, withWorkers } = await this.queuesWithActivity();
    let runningQueues = 0;
    let runningWorkers = 0;
    for (const state of states) {
      const live = !TERMINAL_QUEUE.has(state.status) || runningTargets(state).length > 0 || withWorkers.has(state.queue_id);
      if (!live) continue;
      if (!TERMINAL_QUEUE.has(state.status)) runningQueues += 1;
      runningWorkers += runningTargets(state).flatMap(runningJobNames).length;
      if (loadSignature(state.symbol, state.time_range, state.targets) !== signature) continue;
      const workers = withWorkers.has(state.queue_id) ? 'its workers still run' : `status ${state.status}`;
      throw conflict(`already running in queue ${state.queue_id} (${workers})`, state.queue_id);
    }
    return { runningQueues, runningWorkers };
  }

  private async startAdmitted(plan: QueuePlan): Promise<StartQueueResult> {
    const specs = workerSpecsFor(plan);
    for (const spec of specs) {
      try {
        await this.deps.launcher.check(spec);
      } catch (error) {
        this.deps.metrics.launches.inc({ target: spec.target, result: 'refused' });
        throw new StartFailedError(`nothing was started: ${(error as Error).message}`, undefined, { cause: error });
      }
    }
    const kafkaDeadline = Date.now() + this.config.startKafkaTimeoutMs;
    const topics = startTopicsFor(plan, this.config.dataTopicPartitions);
    try {
      await withinDeadline(
        ensureTopics(this.deps.kafka, topics),
        kafkaDeadline, `creating topic ${[...new Set(plan.targets.map((t) => t.kafkaTopic))].join(', ')}`, this.config.startKafkaTimeoutMs,
      );
    } catch (error) {
      throw this.kafkaFailure(error, undefined, 'nothing was started');
    }
    await this.deps.repository.create(newQueueState(plan, now()));
    const timestamp = now();
    try {
      await withinDeadline(
        this.deps.commands.send(
          plan.targets.flatMap((t) => t.instances.map((instance) => ({
            command: 'start' as const, queue_id: plan.queueId, target: t.target, symbol: plan.symbol, type: t.type, time_range: instance.timeRange,
            kafka_topic: t.kafkaTopic, collection_name: t.collectionName, telemetry_id: instance.telemetryId, timestamp,
          }))),
        ),
        kafkaDeadline, 'publishing the start commands', this.config.startKafkaTimeoutMs,
      );
    } catch (error) {
      // Nothing was launched: the queue ends in error at once rather than staying pending.
      const reason = `start command not published: ${(error as Error).message}`;
      for (const spec of specs) await this.deps.repository.update(plan.queueId, (s) => failTarget(s, spec.jobName, reason, now()));
      throw this.kafkaFailure(error, plan.queueId, `queue ${plan.queueId} was recorded as failed; no worker was launched`);
    }
    for (const spec of specs) {
      try {
        await this.deps.launcher.launch(spec);
        this.deps.metrics.launches.inc({ target: spec.target, result: 'launched' });
      } catch (error) {
        this.deps.metrics.launches.inc({ target: spec.target, result: 'failed' });
        const reason = (error as Error).message;
        this.log.error({ queueId: plan.queueId, job: spec.jobName, err: reason }, 'launch failed; stopping the queue');
        await this.deps.repository.update(plan.queueId, (s) => failTarget(s, spec.jobName, reason, now()));
        await this.stop(plan.queueId).catch((stopError: unknown) => this.log.error({ err: stopError }, 'stop after a failed launch failed'));
        throw new StartFailedError(`queue ${plan.queueId} was created but ${reason}; its other workers are being stopped`, plan.queueId, { cause: error });
      }
    }
    this.log.info({ queueId: plan.queueId, jobs: specs.map((spec) => spec.jobName) }, 'queue started');
    const state = await this.deps.repository.get(plan.queueId);
    return {
      queue_id: plan.queueId,
      status: state?.status ?? 'pending',
      targets: plan.targets.map((t) => ({
        target: t.target, type: t.type, kafka_topic: t.kafkaTopic, collection_name: t.collectionName, telemetry_id: t.telemetryId, job_name: t.jobName,
        ...(t.instances.length > 1 ? { instances: t.instances.map((i) => ({ instance: `${i.index}/${i.count}`, telemetry_id: i.telemetryId, job_name: i.jobName, time_range: i.timeRange })) } : {}),
      })),
    };
  }

  /** Any Kafka failure of a start is a 503 the caller may retry, saying what was and was not done. */
  private kafkaFailure(error: unknown, queueId: string | undefined, consequence: string): Error {
    // A command our own schema refused is our bug, not Kafka's: it stays a 500.
    if (error instanceof InvalidOutgoingMessageError) return error;
    const late = error instanceof DeadlineExceededError;
    const what = late ? `Kafka did not answer: ${error.message}` : `Kafka failed: ${describeKafkaError(error)}`;
    const publicMessage = `${late ? 'Kafka did not answer in time' : 'Kafka is unavailable'}; ${consequence}`;
    return new DependencyUnavailableError(`${what}; ${consequence}`, queueId, publicMessage, { cause: error });
  }

  /**
   * Marks the queue stopping and hands it to the supervisor, which publishes `stop` until every
   * worker reported and has the launcher end what still runs after the grace period. Calling it
   * again restarts supervision if it had ended.
   */
  async stop(queueId: string): Promise<QueueState> {
    const current = await this.get(queueId);
    if (runningTargets(current).length === 0) {
      throw new QueueConflictError(`queue ${queueId} has no running worker to stop (status ${current.status})`, queueId);
    }
    const stopped = (await this.deps.repository.update(queueId, (s) => (s.stop_requested_at === null ? requestStop(s, now()) : undefined))) ?? (await this.get(queueId));
    this.log.info({ queueId }, 'stop requested');
    this.supervisor.supervise(queueId, stopped.stop_requested_at ?? now());
    return stopped;
  }

  /** Applies one telemetry event to its queue's state (unknown queues and producers are ignored). */
  async handleEvent(event: TelemetryEvent): Promise<void> {
    if (event.status === 'pong') return;
    await this.deps.repository.update(event.queue_id, (state) => applyEvent(state, event));
    // Looked at even when the event changed nothing: a redelivered event retries a failed stop.
    const state = await this.deps.repository.get(event.queue_id);
    if (state) await this.stopSiblingsOfError(state);
  }

  /** A target in error ends the queue: its other workers get the stop, then the launcher's kill. */
  private async stopSiblingsOfError(state: QueueState): Promise<void> {
    const failed = state.targets.filter((t) => t.status === 'error');
    if (failed.length === 0 || runningTargets(state).length === 0 || this.supervisor.isSupervising(state.queue_id)) return;
    this.log.warn({ queueId: state.queue_id, failed: failed.map((t) => t.job_name) }, 'a target is in error; stopping the queue’s other workers');
    await this.stop(state.queue_id);
  }

  /**
   * The launcher saw a worker end for good: if its telemetry never said so, record it as an error
   * (and stop the queue's other workers). A store failure is retried with backoff.
   */
  handleWorkerExit(info: WorkerInfo): void {
    if (this.closed) return;
    const message =
      info.phase === 'failed'
        ? `worker failed (${info.detail ?? 'unknown'}) after ${info.restarts} restart(s) without reporting an error`
        : `worker exited (${info.detail ?? 'unknown'}) without reporting finished`;
    const attempts = this.config.exitRecordAttempts ?? 6;
    const record = async (attempt: number): Promise<void> => {
      try {
        const state = await this.deps.repository.update(info.queueId, (s) => failTarget(s, info.jobName, message, now(), { clean: info.phase === 'succeeded' }));
        if (state) await this.stopSiblingsOfError(state);
      } catch (error) {
        this.deps.metrics.exitRecordFailures.inc();
        if (attempt >= attempts) {
          this.log.error({ err: error, job: info.jobName, attempts }, 'could not record a worker exit; giving up');
          return;
        }
        const delay = EXIT_RECORD_FIRST_DELAY_MS * 2 ** (attempt - 1);
        this.log.warn({ err: error, job: info.jobName, attempt, retryInMs: delay }, 'could not record a worker exit; trying again');
        this.later(() => record(attempt + 1), delay);
      }
    };
    this.later(() => record(1), this.config.exitEventGraceMs);
  }

  private later(task: () => Promise<void>, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.exitTimers.delete(timer);
      void task();
    }, delayMs);
    this.exitTimers.add(timer);
  }

  close(): void {
    this.closed = true;
    this.supervisor.close();
    for (const timer of this.exitTimers) clearTimeout(timer);
    this.exitTimers.clear();
  }
}

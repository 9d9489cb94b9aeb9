import type { Kafka } from 'kafkajs';
import { ensureTopics } from '@streamforge/kafka';
import type { WorkerInfo, WorkerLauncher } from '@streamforge/launchers';
import type { Logger } from '@streamforge/logging';
import type { QueueState, StartFlowRequest, StartQueueRequest, StartQueueResult, TargetState, TelemetryEvent } from '@streamforge/schemas';
import type { CommandPublisher } from './command-publisher';
import { QueueConflictError, QueueNotFoundError, StartFailedError } from './errors';
import { flowToStartRequest, type FlowCatalog } from './flow-catalog';
import type { QueueManagerMetrics } from './queue-manager-metrics';
import { applyEvent, failTarget, forceInterrupted, newQueueState, requestStop, TERMINAL_QUEUE } from './queue-state-reducer';
import type { QueueStateRepository } from './queue-state-repository';
import { DEFAULT_RANGE_LIMITS, planStart, type QueuePlan } from './start-plan';
import { workerSpecFor } from './worker-spec';

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

/** Targets whose worker may still be running (an errored one is left as it reported). */
function runningTargets(state: QueueState): TargetState[] {
  return state.targets.filter((t) => t.status === 'pending' || t.status === 'started' || t.status === 'loading');
}

/** The queue workflows: start (validate → topics → persist → commands → launch), stop, follow telemetry. */
export class QueueService {
  private readonly log: Logger;
  private readonly stopTimers = new Map<string, NodeJS.Timeout>();
  private readonly exitTimers = new Set<NodeJS.Timeout>();
  private startLock: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly config: QueueServiceConfig, private readonly deps: QueueServiceDeps) {
    this.log = deps.logger.child({ component: 'queue-service' });
  }

  /** Picks up stops that were in progress when queue-manager last stopped. */
  async resume(): Promise<void> {
    for (const state of await this.deps.repository.list()) {
      if (state.stop_requested_at !== null && runningTargets(state).length > 0) this.superviseStop(state.queue_id, state.stop_requested_at);
    }
  }

  list(): Promise<QueueState[]> {
    return this.deps.repository.list();
  }

  async get(queueId: string): Promise<QueueState> {
    const state = await this.deps.repository.get(queueId);
    if (!state) throw new QueueNotFoundError(queueId);
    return state;
  }

  startFlow(request: StartFlowRequest): Promise<StartQueueResult> {
    const startRequest = flowToStartRequest(this.deps.flows, request);
    return this.start(startRequest, { flowName: request.flow_name, original: request as Record<string, unknown> });
  }

  /** Starts are serialised so that two identical requests cannot both pass the conflict check. */
  start(request: StartQueueRequest, options: { flowName?: string; original?: Record<string, unknown> } = {}): Promise<StartQueueResult> {
    const run = this.startLock.then(() => this.startNow(request, options));
    this.startLock = run.catch(() => undefined);
    return run;
  }

  private async startNow(request: StartQueueRequest, options: { flowName?: string; original?: Record<string, unknown> }): Promise<StartQueueResult> {
    const plan = planStart(request, { ...options, limits: { maxCandles: this.config.maxRangeCandles ?? DEFAULT_RANGE_LIMITS.maxCandles, now: Date.now() } });
    await this.rejectDuplicateOf(plan);
    const specs = plan.targets.map((target) => workerSpecFor(plan, target));
    for (const spec of specs) {
      try {
        await this.deps.launcher.check(spec);
      } catch (error) {
        this.deps.metrics.launches.inc({ target: spec.target, result: 'refused' });
        throw new StartFailedError(`nothing was started: ${(error as Error).message}`, undefined, { cause: error });
      }
    }
    const topics = [...new Set(plan.targets.map((t) => t.kafkaTopic))];
    await ensureTopics(this.deps.kafka, topics.map((topic) => ({ topic, numPartitions: this.config.dataTopicPartitions })));
    await this.deps.repository.create(newQueueState(plan, now()));
    const timestamp = now();
    await this.deps.commands.send(
      plan.targets.map((t) => ({
        command: 'start' as const, queue_id: plan.queueId, target: t.target, symbol: plan.symbol, type: t.type, time_range: plan.timeRange,
        kafka_topic: t.kafkaTopic, collection_name: t.collectionName, telemetry_id: t.telemetryId, timestamp,
      })),
    );
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
    this.log.info({ queueId: plan.queueId, targets: plan.targets.map((t) => t.jobName) }, 'queue started');
    const state = await this.deps.repository.get(plan.queueId);
    return {
      queue_id: plan.queueId,
      status: state?.status ?? 'pending',
      targets: plan.targets.map((t) => ({ target: t.target, type: t.type, kafka_topic: t.kafkaTopic, collection_name: t.collectionName, telemetry_id: t.telemetryId, job_name: t.jobName })),
    };
  }

  /** Two running loads of the same symbol, range and targets would write the same collections twice. */
  private async rejectDuplicateOf(plan: QueuePlan): Promise<void> {
    const signature = (targets: Array<{ target: string; type: string }>) => targets.map((t) => `${t.target}/${t.type}`).sort().join(',');
    const wanted = signature(plan.targets);
    for (const state of await this.deps.repository.list()) {
      if (TERMINAL_QUEUE.has(state.status) || state.symbol !== plan.symbol || state.time_range !== plan.timeRange) continue;
      if (signature(state.targets) !== wanted) continue;
      throw new QueueConflictError(
        `queue ${state.queue_id} is already running the same load (${plan.symbol} ${plan.type} ${plan.timeRange}, status ${state.status}); stop it or wait for it to end`,
        state.queue_id,
      );
    }
  }

  /** Publishes `stop`, marks the queue stopping, and supervises it until every worker ended. */
  async stop(queueId: string): Promise<QueueState> {
    const current = await this.get(queueId);
    if (runningTargets(current).length === 0) {
      throw new QueueConflictError(`queue ${queueId} has no running worker to stop (status ${current.status})`, queueId);
    }
    const stopped = (await this.deps.repository.update(queueId, (s) => (s.stop_requested_at === null ? requestStop(s, now()) : undefined))) ?? (await this.get(queueId));
    await this.deps.commands.send([{ command: 'stop', queue_id: queueId, timestamp: now() }]);
    this.log.info({ queueId }, 'stop requested');
    this.superviseStop(queueId, stopped.stop_requested_at ?? now());
    return stopped;
  }

  /**
   * A worker that joined the control topic after the stop was sent never sees it (workers read
   * commands from their own start on): repeat the stop until every target reported, then let the
   * launcher end what is left once the grace period is over.
   */
  private superviseStop(queueId: string, stopRequestedAt: number): void {
    if (this.stopTimers.has(queueId) || this.closed) return;
    const deadline = stopRequestedAt * 1000 + this.config.stopGraceMs;
    const schedule = () => {
      const delay = Math.max(0, Math.min(this.config.stopRepeatMs, deadline - Date.now()));
      this.stopTimers.set(queueId, setTimeout(() => void tick().catch((error: unknown) => this.log.error({ err: error, queueId }, 'stop supervision failed')), delay));
    };
    const done = () => this.stopTimers.delete(queueId);
    const tick = async () => {
      if (this.closed) return done();
      const state = await this.deps.repository.get(queueId);
      const running = state ? runningTargets(state) : [];
      if (running.length === 0) return done();
      if (Date.now() >= deadline) {
        for (const target of running) {
          await this.deps.launcher.stop(target.job_name).catch((error: unknown) => this.log.error({ err: error, job: target.job_name }, 'launcher could not end the worker'));
          const message = `no interrupted event within ${this.config.stopGraceMs} ms of the stop; the launcher ended the worker`;
          await this.deps.repository.update(queueId, (s) => forceInterrupted(s, target.job_name, message, now()));
          this.deps.metrics.forcedStops.inc();
          this.log.warn({ queueId, job: target.job_name }, 'worker ended by the launcher after the stop grace period');
        }
        return done();
      }
      await this.deps.commands.send([{ command: 'stop', queue_id: queueId, timestamp: now() }]);
      this.log.debug({ queueId, waitingFor: running.map((t) => t.telemetry_id) }, 'stop repeated');
      schedule();
    };
    schedule();
  }

  /** Applies one telemetry event to its queue's state (unknown queues and producers are ignored). */
  async handleEvent(event: TelemetryEvent): Promise<void> {
    await this.deps.repository.update(event.queue_id, (state) => applyEvent(state, event));
  }

  /** The launcher saw a worker end for good: if its telemetry never said so, record it as an error. */
  handleWorkerExit(info: WorkerInfo): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.exitTimers.delete(timer);
      const message =
        info.phase === 'failed'
          ? `worker failed (${info.detail ?? 'unknown'}) after ${info.restarts} restart(s) without reporting an error`
          : `worker exited (${info.detail ?? 'unknown'}) without reporting finished`;
      void this.deps.repository
        .update(info.queueId, (s) => failTarget(s, info.jobName, message, now()))
        .catch((error: unknown) => this.log.error({ err: error, job: info.jobName }, 'could not record a worker exit'));
    }, this.config.exitEventGraceMs);
    this.exitTimers.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.stopTimers.values()) clearTimeout(timer);
    for (const timer of this.exitTimers) clearTimeout(timer);
    this.stopTimers.clear();
    this.exitTimers.clear();
  }
}

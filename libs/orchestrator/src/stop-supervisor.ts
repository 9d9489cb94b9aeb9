import type { WorkerLauncher } from '@streamforge/launchers';
import type { Logger } from '@streamforge/logging';
import { isOpenEnded, parseTimeRange, type QueueState, type StopCommand, type TargetState } from '@streamforge/schemas';
import type { CommandPublisher } from './command-publisher';
import type { QueueManagerMetrics } from './queue-manager-metrics';
import { RUNNING_STATUSES } from './instance-summary';
import { forceInterrupted } from './queue-state-reducer';
import type { QueueStateRepository } from './queue-state-repository';
import { PRODUCER_TARGETS } from './targets';

export interface StopSupervisorConfig {
  /** How often an unanswered stop is published again (and a failed tick retried). */
  stopRepeatMs: number;
  /** After this, the launcher ends what still runs and the target is marked interrupted. */
  stopGraceMs: number;
}

/**
 * Targets whose worker may still be running (an errored one is left as it reported, unless other
 * instances of it still run: a failed loader split does not end its siblings).
 */
export function runningTargets(state: QueueState): TargetState[] {
  return state.targets.filter((t) => RUNNING_STATUSES.has(t.status) || (t.status === 'error' && runningJobNames(t).length > 0));
}

/** The Jobs of a target that may still be running: its own, or those of its running instances. */
export function runningJobNames(target: TargetState): string[] {
  if (!target.instances) return RUNNING_STATUSES.has(target.status) ? [target.job_name] : [];
  return target.instances.filter((i) => RUNNING_STATUSES.has(i.status)).map((i) => i.job_name);
}

/** A queue with an open-ended range: its workers run until stopped. */
export function isLiveQueue(state: Pick<QueueState, 'time_range'>): boolean {
  const range = parseTimeRange(state.time_range, { openEnd: true });
  return range.ok && isOpenEnded(range.value);
}

/**
 * The stops to publish now. A live queue's sink must store everything its loaders published, and
 * they publish until they stop: the loaders get the stop first (addressed by target), the sinks
 * only once no loader runs, and then store the topic up to its end before they leave.
 */
export function stopCommandsFor(state: QueueState, running: readonly TargetState[], timestamp: number): StopCommand[] {
  const producers = isLiveQueue(state) ? [...new Set(running.filter((t) => PRODUCER_TARGETS.has(t.target)).map((t) => t.target))] : [];
  if (producers.length === 0) return [{ command: 'stop', queue_id: state.queue_id, timestamp }];
  return producers.map((target) => ({ command: 'stop', queue_id: state.queue_id, target, timestamp }));
}

/**
 * A worker that joined the control topic after the stop was sent never sees it (workers read
 * commands from their own start on): repeat the stop until every target reported, then let the
 * launcher end what is left once the grace period is over. A tick that fails (Kafka send, store
 * update, launcher call) is logged and tried again at the next period: supervision only ends when
 * no target runs any more, or at close.
 */
export class StopSupervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;
  private closed = false;

  constructor(
    private readonly config: StopSupervisorConfig,
    private readonly deps: { commands: CommandPublisher; launcher: WorkerLauncher; repository: QueueStateRepository; logger: Logger; metrics: QueueManagerMetrics },
  ) {
    this.log = deps.logger.child({ component: 'stop-supervisor' });
  }

  isSupervising(queueId: string): boolean {
    return this.timers.has(queueId);
  }

  /** Starts supervising (a no-op when it already does); the first look comes at once. */
  supervise(queueId: string, stopRequestedAt: number): void {
    if (this.timers.has(queueId) || this.closed) return;
    const deadline = stopRequestedAt * 1000 + this.config.stopGraceMs;
    const schedule = (delay: number) => {
      this.timers.set(queueId, setTimeout(() => void run(), delay));
    };
    const run = async () => {
      if (this.closed) return;
      let ended: boolean;
      try {
        ended = await this.tick(queueId, deadline);
      } catch (error) {
        this.deps.metrics.stopSupervisionFailures.inc();
        this.log.error({ err: error, queueId, retryInMs: this.config.stopRepeatMs }, 'stop supervision step failed; trying again');
        ended = false;
      }
      if (ended || this.closed) {
        this.timers.delete(queueId);
        return;
      }
      schedule(Math.max(0, Math.min(this.config.stopRepeatMs, deadline - Date.now())));
    };
    schedule(0);
  }

  /** One look at the queue; true when nothing of it runs any more. */
  private async tick(queueId: string, deadline: number): Promise<boolean> {
    const state = await this.deps.repository.get(queueId);
    const running = state ? runningTargets(state) : [];
    if (!state || running.length === 0) return true;
    if (Date.now() < deadline) {
      await this.deps.commands.send(stopCommandsFor(state, running, Date.now() / 1000));
      this.log.debug({ queueId, waitingFor: running.map((t) => t.telemetry_id) }, 'stop published');
      return false;
    }
    // One target's failure does not keep the others running; what failed is tried again next tick.
    let failed: unknown;
    for (const jobName of running.flatMap(runningJobNames)) {
      try {
        await this.deps.launcher.stop(jobName);
        const message = `no interrupted event within ${this.config.stopGraceMs} ms of the stop; the launcher ended the worker`;
        await this.deps.repository.update(queueId, (s) => forceInterrupted(s, jobName, message, Date.now() / 1000));
        this.deps.metrics.forcedStops.inc();
        this.log.warn({ queueId, job: jobName }, 'worker ended by the launcher after the stop grace period');
      } catch (error) {
        failed ??= error;
      }
    }
    if (failed) throw failed;
    return true;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

import type { Kafka } from 'kafkajs';
import type { WorkerLauncher } from '@streamforge/launchers';
import type { Logger } from '@streamforge/logging';
import type { QueueState } from '@streamforge/schemas';
import type { QueueManagerMetrics } from './queue-manager-metrics';
import { TERMINAL_QUEUE } from './queue-state-reducer';
import type { QueueStateRepository } from './queue-state-repository';
import { runningTargets } from './stop-supervisor';

export interface QueueRetentionConfig {
  /** An ended queue whose last change is older than this is collected. */
  retentionMs: number;
  /** How often the store is swept. */
  sweepIntervalMs: number;
  /** Delete a DLQ topic that still holds letters (default: keep it, and the queue, until it is empty). */
  deleteDlqWithLetters: boolean;
  /** Queues read from the store at a time. */
  pageSize?: number;
}

export interface SweepResult {
  removed: string[];
  kept: Array<{ queueId: string; reason: string }>;
  deletedTopics: string[];
}

/** The dead-letter topic of a sink target: arango-candles writes `<data topic>-dlq` (its DLQ_TOPIC default). */
export function deadLetterTopicOf(target: { target: string; kafka_topic: string }): string | undefined {
  return target.target === 'arango-candles' ? `${target.kafka_topic}-dlq` : undefined;
}

/**
 * Garbage-collects ended queues on a shared cluster that runs for months: after the retention, a
 * finished/errored/interrupted queue's data topic and DLQ topic are deleted and its queue_state
 * document removed. Nothing of a queue is touched while any of its workers may still run (its
 * state or the launcher says so). A DLQ holding letters is kept — and the queue with it, so a
 * later sweep looks again — until the topic's own retention empties it, unless configured otherwise.
 */
export class QueueRetention {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly config: QueueRetentionConfig,
    private readonly deps: { kafka: Kafka; repository: QueueStateRepository; launcher: WorkerLauncher; logger: Logger; metrics: QueueManagerMetrics },
  ) {
    this.log = deps.logger.child({ component: 'queue-retention' });
  }

  /** Sweeps now, then every sweepIntervalMs; a failed sweep is logged and tried at the next period. */
  start(): void {
    const run = () => {
      if (this.closed) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.log.error({ err: error, retryInMs: this.config.sweepIntervalMs }, 'queue retention sweep failed'))
        .finally(() => {
          if (this.closed) return;
          this.timer = setTimeout(run, this.config.sweepIntervalMs);
          this.timer.unref();
        });
    };
    run();
  }

  /** One pass over every ended queue older than the retention. */
  async sweep(now = Date.now()): Promise<SweepResult> {
    const result: SweepResult = { removed: [], kept: [], deletedTopics: [] };
    const before = (now - this.config.retentionMs) / 1000;
    const pageSize = this.config.pageSize ?? 100;
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      let after: QueueState | undefined;
      for (;;) {
        const page = await this.deps.repository.endedBefore(before, pageSize, after);
        for (const state of page) {
          if (this.closed) return result;
          await this.collect(state, { admin, existing, result });
        }
        if (page.length < pageSize) break;
        after = page.at(-1);
      }
    } finally {
      await admin.disconnect();
    }
    if (result.removed.length > 0 || result.kept.length > 0) {
      this.log.info({ removed: result.removed.length, kept: result.kept, deletedTopics: result.deletedTopics.length }, 'expired queues collected');
    }
    return result;
  }

  private async collect(state: QueueState, ctx: { admin: ReturnType<Kafka['admin']>; existing: Set<string>; result: SweepResult }): Promise<void> {
    const queueId = state.queue_id;
    const keep = (reason: string): void => void ctx.result.kept.push({ queueId, reason });
    const workers = (await this.deps.launcher.list(queueId)).filter((w) => w.phase === 'running');
    if (workers.length > 0 || runningTargets(state).length > 0) return keep(`workers still run: ${workers.map((w) => w.jobName).join(', ') || 'per its state'}`);

    const dataTopics = [...new Set(state.targets.map((t) => t.kafka_topic))].filter((t) => ctx.existing.has(t));
    const dlqTopics = [...new Set(state.targets.map(deadLetterTopicOf).filter((t): t is string => t !== undefined))].filter((t) => ctx.existing.has(t));
    const withLetters: string[] = [];
    if (!this.config.deleteDlqWithLetters) {
      for (const topic of dlqTopics) {
        const offsets = await ctx.admin.fetchTopicOffsets(topic);
        if (offsets.some((p) => BigInt(p.high) > BigInt(p.low))) withLetters.push(topic);
      }
    }
    const doomed = [...dataTopics, ...dlqTopics.filter((t) => !withLetters.includes(t))];
    if (doomed.length > 0) {
      await ctx.admin.deleteTopics({ topics: doomed });
      for (const topic of doomed) ctx.existing.delete(topic);
      ctx.result.deletedTopics.push(...doomed);
      this.deps.metrics.retentionTopicsDeleted.inc(doomed.length);
    }
    if (withLetters.length > 0) return keep(`dead-letter topic ${withLetters.join(', ')} holds letters (RETENTION_DELETE_DLQ_WITH_LETTERS=false)`);

    const removed = await this.deps.repository.remove(queueId, (current) => TERMINAL_QUEUE.has(current.status) && runningTargets(current).length === 0);
    if (!removed) return keep('changed while being collected');
    ctx.result.removed.push(queueId);
    this.deps.metrics.retentionQueuesRemoved.inc();
    this.log.info({ queueId, status: state.status, deletedTopics: doomed }, 'expired queue removed');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }
}

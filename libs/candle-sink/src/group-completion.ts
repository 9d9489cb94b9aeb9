import type { Admin, Consumer, Kafka } from 'kafkajs';
import { describeKafkaError } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import { describeError } from './errors';
import type { SinkEnding } from './sink-ending';
import { encodePartitionState, readGroupStateWith, type SinkGroupState } from './sink-group-state';

/** What one look at the consumer group says. */
export interface GroupView {
  state: SinkGroupState;
  /** Every partition of the topic has its commit on its last end-of-stream marker, nothing after it. */
  complete: boolean;
}

/** Tries to record a `finished` report in partition 0's commit: ~5 s, longer than a rebalance of instances already running. */
const STAMP_ATTEMPTS = 20;
const STAMP_RETRY_MS = 250;

/** How an instance ends a complete load: it reports `finished`, or another instance does. */
export type CompletionRole = 'finisher' | 'follower' | 'stopped';

/**
 * The load's completion across every sink instance of one queue (one consumer group). Each
 * instance only reads its own partitions, so the group's committed offsets are the shared truth:
 * the committer tags a commit sitting on a partition's last marker (`end_of_stream` in the commit
 * metadata), and the load is complete when every partition's commit is so tagged and the marker
 * is the partition's last message.
 *
 * Exactly one `finished`: the member that owns partition 0 reports it, then stamps the count of
 * `finished` reports into partition 0's commit metadata; the others wait in the group (so
 * partition 0 does not move) until the stamp shows a report, then leave quietly. An instance that
 * starts after the report (a late replica, a KEDA instance, a restarted Job) finds the stamp and
 * leaves quietly too. If the finisher dies before reporting, partition 0 moves to another member,
 * which reports instead (dying between the report and the stamp is the one way to two reports).
 * (Chosen over "whoever commits last": two instances committing their last markers at once
 * cannot tell which was last; ownership of partition 0 is decided by the group coordinator.)
 */
export class GroupCompletion {
  /** This instance's partitions in the current generation (from the consumer's GROUP_JOIN). */
  assigned: readonly number[] = [];
  private admin: Admin | undefined;
  private finishesSeen = 0;

  constructor(
    private readonly config: { groupId: string; topic: string; pollMs: number },
    private readonly deps: { kafka: Kafka; ending: SinkEnding; log: Logger },
  ) {}

  /** The group's state when this instance started. */
  begin(state: SinkGroupState): void {
    this.finishesSeen = state.finishes;
  }

  /** `finished` reports known so far: carried forward in every partition-0 commit, so a commit never erases the stamp. */
  get finishes(): number {
    return this.finishesSeen;
  }

  async look(): Promise<GroupView> {
    if (!this.admin) {
      this.admin = this.deps.kafka.admin();
      await this.admin.connect();
    }
    const state = await readGroupStateWith(this.admin, this.config.groupId, this.config.topic, this.deps.log);
    const ends = await this.admin.fetchTopicOffsets(this.config.topic);
    if (state.finishes > this.finishesSeen) this.finishesSeen = state.finishes;
    const complete =
      ends.length > 0 &&
      ends.every(({ partition, high }) => {
        const commit = state.commits.get(partition);
        return commit !== undefined && commit.endOfStream && commit.offset + 1n === BigInt(high);
      });
    return { state, complete };
  }

  /** Until the run ends: ends it `complete` once the group's commits say so (this instance's own partitions may be a few, or none). */
  async watch(): Promise<void> {
    const { ending, log } = this.deps;
    while (!ending.kind) {
      try {
        if ((await this.look()).complete) {
          log.info('the consumer group committed every end-of-stream marker: the load is complete');
          ending.end({ kind: 'complete' });
        }
      } catch (error) {
        log.warn({ err: describeKafkaError(error) }, 'could not read the consumer group; trying again');
      }
      await this.pause();
    }
  }

  /** After a complete load: waits until this instance owns partition 0 (it reports) or another one reported. */
  async role(): Promise<{ role: CompletionRole; view?: GroupView }> {
    // Partition 0 that came to this instance only after the load was complete may come from a finisher whose stamp
    // failed in that very rebalance (it retries it, see stamp): such an owner looks once more, a poll later, before reporting.
    let settled = this.assigned.includes(0);
    for (;;) {
      try {
        const view = await this.look();
        // The group's one load was reported finished already (by another instance, or by an earlier run of this Job).
        if (view.state.finishes > 0) return { role: 'follower', view };
        const owns = this.assigned.includes(0);
        if (view.complete && owns && settled) return { role: 'finisher', view };
        settled = owns;
      } catch (error) {
        this.deps.log.warn({ err: describeKafkaError(error) }, 'could not read the consumer group; trying again');
      }
      if (await this.pause()) return { role: 'stopped' };
    }
  }

  /** Records on partition 0's commit that one more `finished` was reported (so the waiting instances leave). */
  async stamp(consumer: Consumer, view: GroupView): Promise<void> {
    const commit = view.state.commits.get(0);
    if (!commit) return;
    const metadata = encodePartitionState({ deadLettered: view.state.deadLettered.get(0) ?? 0, expectedRecords: view.state.expectedRecords, endOfStream: commit.endOfStream, finishes: view.state.finishes + 1, splits: view.state.splits.get(0) });
    // A commit fails while the group rebalances (an instance joining or leaving just then): retried once it has.
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.commitOffsets([{ topic: this.config.topic, partition: 0, offset: commit.offset.toString(), metadata }]);
        return;
      } catch (error) {
        if (attempt >= STAMP_ATTEMPTS) {
          // The others then wait until partition 0 moves to one of them, which reports `finished` again.
          this.deps.log.warn({ err: describeError(error), attempts: attempt }, 'could not record the finished report in the group');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, STAMP_RETRY_MS));
      }
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** Waits one poll interval; true when a stop was asked for meanwhile. */
  private pause(): Promise<boolean> {
    return Promise.race([new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.config.pollMs)), this.deps.ending.stopped.then(() => true)]);
  }
}

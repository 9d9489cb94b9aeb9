import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import { MAX_LOAD_SPLITS } from '@streamforge/schemas';
import type { PartitionSplits } from './end-of-stream-tracker';

/**
 * What the sink keeps in its consumer group beside each committed offset (the commit's metadata):
 * the bad messages dead-lettered below that offset, and the loader's published count once a marker
 * told it. Written atomically with the offset it describes, so after a restart the count matches
 * what will not be read again, and a bad message read twice (after a crash) is counted once; a
 * count of the dead-letter topic would count it twice.
 */
export interface PartitionState {
  deadLettered: number;
  expectedRecords?: number;
  /** The committed offset is the partition's last end-of-stream marker (the sink never commits past it). */
  endOfStream?: boolean;
  /** How many instances reported `finished` for this group so far (kept on partition 0 only; see group-completion). */
  finishes?: number;
  /** The loader splits whose end-of-stream markers lie below the committed offset (see EndOfStreamTracker). */
  splits?: PartitionSplits;
}

export interface SinkGroupState {
  /** Dead letters below the committed offset, per partition. */
  deadLettered: Map<number, number>;
  /** The largest loader count any partition's commit recorded. */
  expectedRecords?: number;
  /** `finished` reports so far (see group-completion). */
  finishes: number;
  /** Per partition, the committed offset (only partitions with a commit of ours) and whether it sits on the last marker. */
  commits: Map<number, { offset: bigint; endOfStream: boolean }>;
  /** Per partition, the loader splits whose markers lie below its committed offset. */
  splits: Map<number, PartitionSplits>;
}

/** The commit metadata for one partition (Kafka keeps up to 4 KiB by default; this stays small: at most 16 splits). */
export function encodePartitionState(state: PartitionState): string {
  return JSON.stringify({
    dead_lettered: state.deadLettered,
    ...(state.expectedRecords === undefined ? {} : { expected_records: state.expectedRecords }),
    ...(state.endOfStream ? { end_of_stream: true } : {}),
    ...(state.finishes ? { finishes: state.finishes } : {}),
    ...(state.splits ? { eos_splits: state.splits } : {}),
  });
}

/** The state a commit recorded; undefined when the metadata is empty or not ours. */
export function decodePartitionState(metadata: string | null | undefined): PartitionState | undefined {
  if (!metadata) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(metadata);
  } catch {
    return undefined;
  }
  const { dead_lettered: deadLettered, expected_records: expectedRecords, end_of_stream: endOfStream, finishes, eos_splits: splits } = (value ?? {}) as Record<string, unknown>;
  if (!isCount(deadLettered) || (expectedRecords !== undefined && !isCount(expectedRecords))) return undefined;
  if (splits !== undefined && !isPartitionSplits(splits)) return undefined;
  return { deadLettered, expectedRecords, endOfStream: endOfStream === true, finishes: isCount(finishes) ? finishes : 0, ...(splits ? { splits } : {}) };
}

const isSplitNumber = (value: unknown): value is number => isCount(value) && value >= 1 && value <= MAX_LOAD_SPLITS;

function isPartitionSplits(value: unknown): value is PartitionSplits {
  const { of, counts } = (value ?? {}) as Record<string, unknown>;
  return (
    Array.isArray(of) && of.length > 0 && of.every(isSplitNumber) &&
    typeof counts === 'object' && counts !== null && !Array.isArray(counts) &&
    Object.entries(counts).every(([index, count]) => isSplitNumber(Number(index)) && (count === null || isCount(count)))
  );
}

/** What the load must hold at least, from every partition's commit: per split its largest count, summed (see EndOfStreamTracker). */
export function expectedFromSplits(splits: Iterable<PartitionSplits>): number | undefined {
  const most = new Map<string, number>();
  for (const { counts } of splits) for (const [index, count] of Object.entries(counts)) if (count !== null && count > (most.get(index) ?? -1)) most.set(index, count);
  return most.size === 0 ? undefined : [...most.values()].reduce((sum, count) => sum + count, 0);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads the group's committed state for the topic (empty for a new group). */
export async function readSinkGroupState(kafka: Kafka, groupId: string, topic: string, log: Logger): Promise<SinkGroupState> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await readGroupStateWith(admin, groupId, topic, log);
  } finally {
    await admin.disconnect();
  }
}

/** readSinkGroupState with an admin client already connected (the completion watcher polls with one). */
export async function readGroupStateWith(admin: Admin, groupId: string, topic: string, log: Logger): Promise<SinkGroupState> {
  // No topic list: the data topic may not exist yet, and a group that never committed has nothing.
  const offsets = await admin.fetchOffsets({ groupId });
  const state: SinkGroupState = { deadLettered: new Map(), finishes: 0, commits: new Map(), splits: new Map() };
  for (const { partition, offset, metadata } of offsets.find((entry) => entry.topic === topic)?.partitions ?? []) {
    if (Number(offset) < 0) continue;
    const decoded = decodePartitionState(metadata);
    if (!decoded) {
      if (metadata) log.warn({ partition, metadata }, 'ignoring commit metadata the sink did not write; its dead letters count from 0');
      continue;
    }
    state.deadLettered.set(partition, decoded.deadLettered);
    state.commits.set(partition, { offset: BigInt(offset), endOfStream: decoded.endOfStream === true });
    if (partition === 0) state.finishes = decoded.finishes ?? 0;
    if (decoded.splits) state.splits.set(partition, decoded.splits);
    if (decoded.expectedRecords !== undefined && decoded.expectedRecords > (state.expectedRecords ?? -1)) state.expectedRecords = decoded.expectedRecords;
  }
  // One instance's commit knows the counts of the splits it read; together the commits know them all.
  const fromSplits = expectedFromSplits(state.splits.values());
  if (fromSplits !== undefined && fromSplits > (state.expectedRecords ?? -1)) state.expectedRecords = fromSplits;
  return state;
}

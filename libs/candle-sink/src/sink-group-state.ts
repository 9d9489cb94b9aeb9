import type { Kafka } from 'kafkajs';
import type { Logger } from '@streamforge/logging';

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
}

export interface SinkGroupState {
  /** Dead letters below the committed offset, per partition. */
  deadLettered: Map<number, number>;
  /** The largest loader count any partition's commit recorded. */
  expectedRecords?: number;
}

/** The commit metadata for one partition (Kafka keeps up to 4 KiB by default; this stays tiny). */
export function encodePartitionState(state: PartitionState): string {
  return JSON.stringify({ dead_lettered: state.deadLettered, ...(state.expectedRecords === undefined ? {} : { expected_records: state.expectedRecords }) });
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
  const { dead_lettered: deadLettered, expected_records: expectedRecords } = (value ?? {}) as Record<string, unknown>;
  if (!isCount(deadLettered) || (expectedRecords !== undefined && !isCount(expectedRecords))) return undefined;
  return { deadLettered, expectedRecords };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads the group's committed state for the topic (empty for a new group). */
export async function readSinkGroupState(kafka: Kafka, groupId: string, topic: string, log: Logger): Promise<SinkGroupState> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // No topic list: the data topic may not exist yet, and a group that never committed has nothing.
    const offsets = await admin.fetchOffsets({ groupId });
    const state: SinkGroupState = { deadLettered: new Map() };
    for (const { partition, offset, metadata } of offsets.find((entry) => entry.topic === topic)?.partitions ?? []) {
      if (Number(offset) < 0) continue;
      const decoded = decodePartitionState(metadata);
      if (!decoded) {
        if (metadata) log.warn({ partition, metadata }, 'ignoring commit metadata the sink did not write; its dead letters count from 0');
        continue;
      }
      state.deadLettered.set(partition, decoded.deadLettered);
      if (decoded.expectedRecords !== undefined && decoded.expectedRecords > (state.expectedRecords ?? -1)) state.expectedRecords = decoded.expectedRecords;
    }
    return state;
  } finally {
    await admin.disconnect();
  }
}

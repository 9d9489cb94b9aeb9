import { EOS_HEADER } from '@streamforge/schemas';

/** An end-of-stream marker seen on a partition. */
export interface EndOfStreamMarker {
  partition: number;
  offset: bigint;
  /** Candles the loader run that wrote it published (undefined when the header was not a count). */
  count: number | undefined;
}

/** The marker's count when the message is an end-of-stream record, else undefined/absent. */
export function readEndOfStream(headers: Record<string, unknown> | undefined): { count: number | undefined } | undefined {
  const header = headers?.[EOS_HEADER];
  if (header === undefined) return undefined;
  const text = String(Array.isArray(header) ? header[0] : header).trim();
  return { count: /^\d+$/.test(text) ? Number(text) : undefined };
}

/**
 * Knows when a load is complete: every partition of the topic delivered an end-of-stream marker,
 * nothing follows that marker in the partition, and every offset before it is written and committed.
 *
 * A retried loader Job can leave several markers on a partition (a killed run writes none, the run
 * that completes writes its own), so the last marker counts, and a partition whose marker is
 * followed by more messages is not done until those are handled too. Committed offsets are capped
 * at the last marker: the marker itself is never committed past, so a sink that dies after its last
 * commit but before reporting `finished` reads the markers again on restart and finishes, instead
 * of waiting forever for markers it had already consumed.
 */
export class EndOfStreamTracker {
  private readonly markers = new Map<number, EndOfStreamMarker>();
  private readonly positions = new Map<number, { next: bigint; highWatermark: bigint }>();
  private readonly seen: EndOfStreamMarker[] = [];

  record(marker: EndOfStreamMarker): void {
    const last = this.markers.get(marker.partition);
    if (last && marker.offset <= last.offset) return; // redelivered after a rebalance, or older
    this.markers.set(marker.partition, marker);
    this.seen.push(marker);
  }

  /** Everything below `next` is handled; the partition ends before `highWatermark` (as of the last fetch). */
  observe(partition: number, next: bigint, highWatermark: bigint): void {
    this.positions.set(partition, { next, highWatermark });
  }

  /** The offset to commit for a partition once everything below `next` is stored. */
  commitOffset(partition: number, next: bigint): bigint {
    const marker = this.markers.get(partition);
    return marker && marker.offset < next ? marker.offset : next;
  }

  /** True when every partition ends with a handled marker and the committed offset reached it. */
  isComplete(partitions: readonly number[], committed: ReadonlyMap<number, bigint>): boolean {
    if (partitions.length === 0) return false;
    return partitions.every((partition) => {
      const marker = this.markers.get(partition);
      const position = this.positions.get(partition);
      const offset = committed.get(partition);
      if (!marker || !position || offset === undefined) return false;
      const afterMarker = marker.offset + 1n;
      return position.next === afterMarker && position.highWatermark <= afterMarker && offset >= marker.offset;
    });
  }

  /** Partitions still waiting for a marker. */
  pending(partitions: readonly number[]): number[] {
    return partitions.filter((partition) => !this.markers.has(partition));
  }

  /**
   * The most candles one completed loader run reported (undefined before any marker with a count).
   * A run's candles are distinct, so the store must hold at least that many; runs are not summed:
   * a retried run re-sends what an earlier one may have published.
   */
  publishedAtLeast(): number | undefined {
    let most: number | undefined;
    for (const { count } of this.seen) if (count !== undefined && count > (most ?? -1)) most = count;
    return most;
  }

  /** Every marker seen, in arrival order (for logs and the `finished` message). */
  all(): readonly EndOfStreamMarker[] {
    return this.seen;
  }
}

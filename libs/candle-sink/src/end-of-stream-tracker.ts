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
 * Knows when a load is complete: every partition of the topic delivered an end-of-stream marker
 * and every offset before it is written and committed.
 *
 * A retried loader Job can leave several markers on a partition (a killed run writes none, the run
 * that completes writes its own), so the last marker seen on a partition counts. Committed offsets
 * are capped at that marker: the marker itself is never committed past, so a sink that dies after
 * its last commit but before reporting `finished` reads the markers again on restart and finishes,
 * instead of waiting forever for markers it had already consumed.
 */
export class EndOfStreamTracker {
  private readonly markers = new Map<number, EndOfStreamMarker>();
  private readonly seen: EndOfStreamMarker[] = [];

  record(marker: EndOfStreamMarker): void {
    const last = this.markers.get(marker.partition);
    if (!last || marker.offset > last.offset) this.markers.set(marker.partition, marker);
    this.seen.push(marker);
  }

  /** The offset to commit for a partition once everything below `nextOffset` is stored. */
  commitOffset(partition: number, nextOffset: bigint): bigint {
    const marker = this.markers.get(partition);
    return marker && marker.offset < nextOffset ? marker.offset : nextOffset;
  }

  /** True when every partition has a marker and the committed offset reached it. */
  isComplete(partitions: readonly number[], committed: ReadonlyMap<number, bigint>): boolean {
    if (partitions.length === 0) return false;
    return partitions.every((partition) => {
      const marker = this.markers.get(partition);
      const offset = committed.get(partition);
      return marker !== undefined && offset !== undefined && offset >= marker.offset;
    });
  }

  /** Partitions still waiting for a marker. */
  pending(partitions: readonly number[]): number[] {
    return partitions.filter((partition) => !this.markers.has(partition));
  }

  /** Every marker seen, in arrival order (for logs and the `finished` message). */
  all(): readonly EndOfStreamMarker[] {
    return this.seen;
  }
}

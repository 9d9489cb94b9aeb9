import { EOS_HEADER, EOS_SPLIT_HEADER, formatLoadSplit, parseLoadSplit, WHOLE_LOAD, type LoadSplit } from '@streamforge/schemas';

/** An end-of-stream marker seen on a partition. */
export interface EndOfStreamMarker {
  partition: number;
  offset: bigint;
  /** Candles the loader run that wrote it published (undefined when the header was not a count). */
  count: number | undefined;
  /** The loader split that wrote it: absent for 1/1 (an unsplit loader may leave the header out), null when the header is unreadable. */
  split?: LoadSplit | null;
}

/** What the group's commit on one partition says about the markers below it (see SinkGroupState). */
export interface PartitionSplits {
  /** The split counts (n) the markers named. */
  of: number[];
  /** Per split index seen, its largest count (null when unknown). */
  counts: Record<string, number | null>;
}

/** What an end-of-stream record's headers say. */
export type EndOfStreamHeaders = Pick<EndOfStreamMarker, 'count' | 'split'>;

/** The marker's count and split when the message is an end-of-stream record, else undefined. */
export function readEndOfStream(headers: Record<string, unknown> | undefined): EndOfStreamHeaders | undefined {
  const header = headers?.[EOS_HEADER];
  if (header === undefined) return undefined;
  const text = headerText(header);
  const splitHeader = headers?.[EOS_SPLIT_HEADER];
  const parsed = splitHeader === undefined ? undefined : parseLoadSplit(headerText(splitHeader));
  const split = parsed === undefined ? WHOLE_LOAD : parsed.ok ? parsed.value : null;
  return { count: /^\d+$/.test(text) ? Number(text) : undefined, split };
}

const headerText = (header: unknown) => String(Array.isArray(header) ? header[0] : header).trim();

interface PartitionMarkers {
  /** Newest marker read on the partition. */
  newest?: EndOfStreamMarker;
  /** Split index → offset of the first marker of it read here (-1 when known from the group's commit). */
  splits: Map<number, bigint>;
}

/**
 * Knows when a load is complete. The loader may be split over n Jobs (contiguous sub-ranges), each
 * writing an end-of-stream marker on every partition when its sub-range is in, named `k/n` by the
 * split header (an unsplit loader's marker is 1/1). A partition is done when it holds markers of
 * all n splits, nothing follows the newest marker (the partition's "last marker" once the set is
 * whole), and every offset before it is written and committed.
 *
 * A retried loader Job leaves its marker again (a killed run writes none, the run that completes
 * writes its own), so a split's markers form a set, and a partition whose last marker is followed
 * by more messages is not done until those are handled too. Once a partition's set is whole,
 * committed offsets are capped at its last marker: the marker itself is never committed past, so a
 * sink that dies after its last commit but before reporting `finished` reads it again on restart.
 * The markers of the other splits are below that offset: the commit's metadata carries them
 * (`splitsBelow`, restored with `restore`), so a restarted or reassigned sink still knows them.
 */
export class EndOfStreamTracker {
  private readonly partitions = new Map<number, PartitionMarkers>();
  /** Split index → its largest reported count. */
  private readonly counts = new Map<number, number | undefined>();
  /** The split count the first marker named (and which one it was); every later one must agree. */
  private splitCount: number | undefined;
  private splitCountFrom = '';
  /** Every split count named so far (more than one: a disagreement, kept in the commits so a restart sees it too). */
  private readonly splitCounts = new Set<number>();
  private readonly positions = new Map<number, { next: bigint; highWatermark: bigint }>();
  private readonly problems: string[] = [];
  private readonly seen: EndOfStreamMarker[] = [];

  /** `onProblem` hears a marker that prevents completion (disagreeing or unreadable split), once each. */
  constructor(private readonly onProblem: (problem: string) => void = () => undefined) {}

  record(marker: EndOfStreamMarker): void {
    const state = this.partition(marker.partition);
    if (state.newest && marker.offset <= state.newest.offset) return; // redelivered after a rebalance, or older
    state.newest = marker;
    this.seen.push(marker);
    const split = marker.split === undefined ? WHOLE_LOAD : marker.split;
    if (!split) return this.problem(`the end-of-stream marker at partition ${marker.partition} offset ${marker.offset} has an unreadable ${EOS_SPLIT_HEADER} header: the load cannot complete`);
    if (!this.agrees(split.of, `the marker of split ${formatLoadSplit(split)} at partition ${marker.partition} offset ${marker.offset}`)) return;
    if (!state.splits.has(split.index)) state.splits.set(split.index, marker.offset);
    this.count(split.index, marker.count);
  }

  /** What the group's commit on `partition` says about the markers below its offset. */
  restore(partition: number, splits: PartitionSplits): void {
    const state = this.partition(partition);
    for (const of of splits.of) if (!this.agrees(of, `the group's commit on partition ${partition} (markers of ${of} splits)`)) return;
    for (const [index, count] of Object.entries(splits.counts)) {
      if (!state.splits.has(Number(index))) state.splits.set(Number(index), -1n);
      this.count(Number(index), count ?? undefined);
    }
  }

  /** The markers below `offset` on the partition, for the commit there (undefined when none). */
  splitsBelow(partition: number, offset: bigint): PartitionSplits | undefined {
    const state = this.partitions.get(partition);
    if (this.splitCount === undefined || !state) return undefined;
    const below = [...state.splits].filter(([, at]) => at < offset);
    if (below.length === 0) return undefined;
    return { of: [...this.splitCounts], counts: Object.fromEntries(below.map(([index]) => [String(index), this.counts.get(index) ?? null])) };
  }

  /** Everything below `next` is handled; the partition ends before `highWatermark` (as of the last fetch). */
  observe(partition: number, next: bigint, highWatermark: bigint): void {
    this.positions.set(partition, { next, highWatermark });
  }

  /** The offset to commit for a partition once everything below `next` is stored. */
  commitOffset(partition: number, next: bigint): bigint {
    const last = this.lastMarker(partition);
    return last !== undefined && last < next ? last : next;
  }

  /** True when `offset` is the partition's last marker (a commit there tells the other instances the partition is done). */
  isLastMarker(partition: number, offset: bigint): boolean {
    return this.lastMarker(partition) === offset;
  }

  /** True when every partition ends with its last marker handled and the committed offset reached it. */
  isComplete(partitions: readonly number[], committed: ReadonlyMap<number, bigint>): boolean {
    if (partitions.length === 0) return false;
    return partitions.every((partition) => {
      const last = this.lastMarker(partition);
      const position = this.positions.get(partition);
      const offset = committed.get(partition);
      if (last === undefined || !position || offset === undefined) return false;
      return position.next === last + 1n && position.highWatermark <= last + 1n && offset >= last;
    });
  }

  /** The splits (1-based) whose markers the partition still lacks, once it has some; undefined before any or after a disagreement. */
  missingSplits(partition: number): number[] | undefined {
    const state = this.partitions.get(partition);
    if (this.problems.length > 0 || this.splitCount === undefined || !state || state.splits.size === 0) return undefined;
    return Array.from({ length: this.splitCount }, (_, i) => i + 1).filter((index) => !state.splits.has(index));
  }

  /** Partitions still waiting for a marker of some split. */
  pending(partitions: readonly number[]): number[] {
    return partitions.filter((partition) => this.lastMarker(partition) === undefined);
  }

  /**
   * Candles the store must hold at least: per split, the most one of its runs reported (a retried
   * run re-sends what an earlier one may have published, so a split's runs are not summed), summed
   * over the splits (their sub-ranges do not overlap). Undefined before any marker with a count.
   */
  publishedAtLeast(): number | undefined {
    const known = [...this.counts.values()].filter((count): count is number => count !== undefined);
    return known.length === 0 ? undefined : known.reduce((sum, count) => sum + count, 0);
  }

  /** Per split 1..n, its largest count (null when unknown) for a split load; undefined for an unsplit one. */
  countsBySplit(): Array<number | null> | undefined {
    if (this.splitCount === undefined || this.splitCount === 1) return undefined;
    return Array.from({ length: this.splitCount }, (_, i) => this.counts.get(i + 1) ?? null);
  }

  /** Every marker seen, in arrival order (for logs and the `finished` message). */
  all(): readonly EndOfStreamMarker[] {
    return this.seen;
  }

  /** The partition's newest marker once it holds markers of every split; undefined before (or after a disagreement). */
  private lastMarker(partition: number): bigint | undefined {
    const state = this.partitions.get(partition);
    if (this.problems.length > 0 || !state?.newest || this.splitCount === undefined) return undefined;
    for (let index = 1; index <= this.splitCount; index += 1) if (!state.splits.has(index)) return undefined;
    return state.newest.offset;
  }

  private partition(partition: number): PartitionMarkers {
    let state = this.partitions.get(partition);
    if (!state) this.partitions.set(partition, (state = { splits: new Map() }));
    return state;
  }

  private count(index: number, count: number | undefined): void {
    const most = this.counts.get(index);
    if (!this.counts.has(index) || (count !== undefined && count > (most ?? -1))) this.counts.set(index, count ?? most);
  }

  /** False (and a problem reported) when `of` contradicts the split count seen first. */
  private agrees(of: number, what: string): boolean {
    if (this.splitCount === undefined) {
      this.splitCount = of;
      this.splitCountFrom = what;
    }
    this.splitCounts.add(of);
    if (of === this.splitCount) return true;
    this.problem(`${what} says the range is split in ${of}, but ${this.splitCountFrom} said ${this.splitCount}: the load cannot complete while the loaders of this topic disagree on their splits`);
    return false;
  }

  private problem(text: string): void {
    this.problems.push(text);
    this.onProblem(text);
  }
}

import type { IndicatorSet, IndicatorSetState, IndicatorStream } from '@streamforge/indicators';
import type { Logger } from '@streamforge/logging';
import type { Candle } from '@streamforge/schemas';
import type { DocumentStore } from '@streamforge/storage';
import { StopRequestedError } from './errors';
import { computeStoredIndicators } from './indicator-pass';
import type { SinkEnding } from './sink-ending';

/** Candles between two kept states of the series: a repair starts at most this far before the late candle. */
export const LIVE_CHECKPOINT_EVERY = 1_000;

export interface LiveIndicatorsDeps {
  store: DocumentStore;
  ending: SinkEnding;
  log: Logger;
  /** Runs each store call with the sink's retry policy. */
  retry: <T>(call: () => Promise<T>) => Promise<T>;
  /** Resolves once every slice handed to the write pipeline is written (and committed). */
  drain(): Promise<void>;
}

/**
 * A live load's indicators: every stored candle ends with exactly the values a batch load of the
 * stored series gives, whatever order the backfill, the live loader and the partitions deliver in.
 *
 * - In order (each candle opens after the newest one computed, across a hole too, as the batch
 *   reference continues over a hole): the candle gets its values while consuming (fast path kept).
 * - A candle at or before the newest one computed (history behind live candles, a hole filled
 *   late, another partition's candle, a re-delivery, a re-published candle): it and every candle
 *   after it are stored without values (never with values the series no longer gives), and a
 *   repair is due from that open_time on.
 * - The repair runs once the consumer has caught up with its partition (so a backfill streaming
 *   in behind is repaired in few passes, not one per slice): after the slices in flight are
 *   written, it continues the series from the newest kept state before the earliest late candle
 *   (one every LIVE_CHECKPOINT_EVERY candles) over the stored documents, rewrites the values that
 *   differ, and the in-order computation continues from its end.
 * Why a repair from a kept state over waiting for the backfill's end-of-stream marker and one full
 * pass: it needs no marker (a restart, a queue without history, a hole filled late) and costs the
 * tail after the late candle, not the whole series, each time.
 */
export class LiveIndicators {
  private stream: IndicatorStream;
  /** One object reused for every candle (same fields, same order): its JSON text is appended to the candle's. */
  private readonly values: Record<string, number | null> = {};
  /** States after the series up to their lastOpenTime, ascending, each still true of the store. */
  private checkpoints: IndicatorSetState[] = [];
  /** Earliest open_time stored without values since the last repair; undefined while the series is in order. */
  private dirtyFrom: number | undefined;
  /** False while this instance reads only some of the topic's partitions: it sees part of the series. */
  private wholeSeries = true;

  constructor(
    private readonly collection: string,
    private readonly indicators: IndicatorSet,
    private readonly deps: LiveIndicatorsDeps,
  ) {
    this.stream = indicators.resume();
    for (const field of indicators.fields) this.values[field] = null;
  }

  /** True while candles get their values as they are decoded (no repair pending). */
  get inOrder(): boolean {
    return this.dirtyFrom === undefined && this.wholeSeries;
  }

  /** Called once before consuming: a collection that holds documents needs a full pass first (its state is unknown). */
  begin(storedDocuments: number): void {
    if (storedDocuments > 0) this.dirtyFrom = Number.NEGATIVE_INFINITY;
  }

  /**
   * The partitions this instance reads after a rebalance: on only some of them it stores no values
   * and repairs nothing (it cannot see the series: two such instances would race each other's
   * repairs); back on all of them, it recomputes the whole series once caught up.
   */
  assigned(partitions: number, of: number): void {
    const whole = partitions >= of;
    if (!whole && this.wholeSeries) this.deps.log.warn({ partitions, of }, 'live load: this instance reads part of the topic; candles are stored without indicators until one instance reads it all again and recomputes them');
    // The series went on elsewhere meanwhile: the state is unknown until a full pass.
    if (!whole) this.dirtyFrom = Number.NEGATIVE_INFINITY;
    this.wholeSeries = whole;
  }

  /** The candle's values as a JSON object's text to append to its own, or undefined when it is stored without (a repair follows). */
  apply(candle: Candle): string | undefined {
    const last = this.stream.lastOpenTime;
    if (this.dirtyFrom === undefined && last !== null && candle.open_time <= last) {
      this.deps.log.info({ openTime: candle.open_time, newestComputed: last }, 'live indicators: a candle arrived before the newest one computed; the values from it on are recomputed once caught up');
      this.dirtyFrom = candle.open_time;
    }
    if (this.dirtyFrom !== undefined) {
      if (candle.open_time < this.dirtyFrom) this.dirtyFrom = candle.open_time;
      return undefined;
    }
    const values = this.stream.push(candle, this.values);
    if (this.stream.count % LIVE_CHECKPOINT_EVERY === 0) this.checkpoints.push(this.stream.snapshot());
    Object.assign(candle, values);
    return JSON.stringify(values);
  }

  /** After each fetched batch: repairs when one is due and nothing more waits on the partition (`caughtUp`). */
  async afterBatch(caughtUp: boolean, heartbeat: () => Promise<void>): Promise<void> {
    if (this.dirtyFrom === undefined || !this.wholeSeries || !caughtUp) return;
    await this.deps.drain();
    if (this.deps.ending.kind === 'failure') return;
    try {
      await this.repair(heartbeat);
    } catch (error) {
      // A stop while the store fails: left for the next run (which starts with a full pass).
      if (error instanceof StopRequestedError) return this.deps.log.warn('live indicators: stopped while the store was failing; the next run recomputes them');
      this.deps.ending.fail(error);
    }
  }

  private async repair(heartbeat: () => Promise<void>): Promise<void> {
    const from = this.dirtyFrom as number;
    const startedAt = performance.now();
    const kept = this.checkpoints.filter((state) => (state.lastOpenTime as number) < from);
    this.checkpoints = kept;
    const result = await computeStoredIndicators(this.collection, {
      store: this.deps.store,
      indicators: this.indicators,
      retry: this.deps.retry,
      start: kept.at(-1),
      checkpoints: { every: LIVE_CHECKPOINT_EVERY, take: (state) => void this.checkpoints.push(state) },
      onPage: () => heartbeat().catch(() => undefined),
      // A stop lets it finish (a bounded tail): leaving it would leave values the series no longer gives.
      stopped: () => this.deps.ending.kind === 'failure',
    });
    if (!result.complete) return;
    this.stream = this.indicators.resume(result.state);
    this.dirtyFrom = undefined;
    this.deps.log.info(
      { from: Number.isFinite(from) ? from : 'series start', resumedAt: kept.at(-1)?.lastOpenTime ?? 'series start', documents: result.documents, updated: result.updated, ms: Math.round(performance.now() - startedAt) },
      'live indicators: recomputed over the stored series; in order again',
    );
  }
}

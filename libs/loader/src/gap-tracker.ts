/** Finds the open times the exchange did not return, as inclusive spans, from candles seen in order. */
import { type KlineInterval, nextOpenTime, previousOpenTime } from '@streamforge/binance';
import type { Gap } from '@streamforge/schemas';
import { countOpenTimes } from './load-plan';

export class GapTracker {
  readonly gaps: Gap[] = [];
  private expectedNext: number;
  private missingCount = 0;

  constructor(
    private readonly interval: KlineInterval,
    firstOpen: number,
    private readonly endOpen: number,
  ) {
    this.expectedNext = firstOpen;
  }

  /** Next open time, strictly ascending across calls. */
  observe(openTime: number): void {
    if (openTime > this.expectedNext) this.record(this.expectedNext, openTime);
    this.expectedNext = nextOpenTime(this.interval, openTime);
  }

  /** Closes the range: whatever did not arrive before `endOpen` is a gap too. */
  finish(): Gap[] {
    if (this.expectedNext < this.endOpen) this.record(this.expectedNext, this.endOpen);
    this.expectedNext = this.endOpen;
    return this.gaps;
  }

  /** Candles missing in the gaps found so far. */
  get missing(): number {
    return this.missingCount;
  }

  private record(from: number, toExclusive: number): void {
    const to = previousOpenTime(this.interval, toExclusive);
    this.gaps.push({ from, to });
    this.missingCount += countOpenTimes(this.interval, from, toExclusive);
  }
}

import type { IndicatorSet, IndicatorStream } from '@streamforge/indicators';
import type { Candle } from '@streamforge/schemas';

/**
 * The indicators computed while consuming, for the common case where a load arrives in
 * `open_time` order (one partition, no restart): each decoded candle gets its values (and the fast
 * path's JSON text gets them appended), so the end-of-load pass has nothing to do. As soon as
 * anything breaks the order (several partitions interleaving, a re-delivery, a re-published
 * candle, a collection that was not empty at start), it stops computing and `covers` says no:
 * then the pass over the stored series decides every value, as always. So these values are a
 * shortcut, never the authority.
 */
export class InOrderIndicators {
  private readonly stream: IndicatorStream;
  private readonly fields: readonly string[];
  private inOrder = false;

  constructor(indicators: IndicatorSet) {
    this.stream = indicators.resume();
    this.fields = indicators.fields;
  }

  /** Called once before consuming: only a collection that starts empty can be covered. */
  begin(storedDocuments: number): void {
    this.inOrder = storedDocuments === 0 && this.stream.count === 0;
  }

  /**
   * Adds the values to the next decoded candle (in decode order) while the order holds, and
   * returns them as JSON text to append to the candle's (`,"EMA_50":…`); undefined once it stopped.
   */
  apply(candle: Candle): string | undefined {
    if (!this.inOrder) return undefined;
    const last = this.stream.lastOpenTime;
    if (last !== null && candle.open_time <= last) {
      this.inOrder = false;
      return undefined;
    }
    const values = this.stream.push(candle, candle) as unknown as Record<string, number | null>;
    let tail = '';
    for (const field of this.fields) {
      const value = values[field];
      // String(number) is the shortest text that parses back to the same double, as JSON.stringify writes it.
      tail += `,"${field}":${value === null ? 'null' : String(value)}`;
    }
    return tail;
  }

  /**
   * True when the stored collection is exactly the candles computed here, in order: the order held
   * for every candle decoded, each was written once (`candlesWritten`), and the store holds that many.
   */
  covers(candlesWritten: number, storedDocuments: number): boolean {
    return this.inOrder && this.stream.count === candlesWritten && candlesWritten === storedDocuments;
  }
}

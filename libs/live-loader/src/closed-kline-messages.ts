/**
 * Kafka messages for candles, whether they came from the stream or from REST: a stream candle is
 * turned back into the REST row it equals and goes through the same byte scanner and encoder as
 * loader-api-candles, so both write the same `_key`, fields and partition.
 */
import { type KlineInterval, type KlinePage, scanKlinePage } from '@streamforge/binance';
import { type CandleMessage, candleEncoder } from '@streamforge/loader';
import type { KlineRestRow } from './kline-stream-message';

export interface CandleMessages {
  /** Messages of a REST page (already validated by the klines client). */
  fromPage(page: KlinePage): CandleMessage[];
  /** The message of one closed stream candle (validated again by the REST row rules). */
  fromRow(row: KlineRestRow): CandleMessage;
}

/** Encoders for one series on a topic with `partitions` partitions. */
export function candleMessages(symbol: string, interval: KlineInterval, partitions: number): CandleMessages {
  const encode = candleEncoder(symbol, interval, partitions);
  return {
    fromPage: encode,
    fromRow(row) {
      const page = scanKlinePage(Buffer.from(JSON.stringify([row])), { interval, startTime: row[0], endTime: row[0] });
      return encode(page)[0] as CandleMessage;
    },
  };
}

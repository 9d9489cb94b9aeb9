/**
 * Kline stream events (`<symbol>@kline_<interval>`) built from the same deterministic candles the
 * REST simulator serves: a closing event carries exactly the row GET /api/v3/klines returns later.
 */
import { type KlineInterval, nextOpenTime } from '../kline-intervals';
import type { CandleFactory } from './simulated-candles';

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];

export interface KlineEvent {
  e: 'kline';
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: KlineInterval;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: string;
  };
}

/**
 * The event for the candle opening at `openTime` as seen at `eventTime`: closed (`x: true`, the
 * final values) when `eventTime` is past its close time, in progress otherwise.
 */
export function klineEvent(
  candles: CandleFactory,
  symbol: string,
  interval: KlineInterval,
  openTime: number,
  eventTime: number,
): KlineEvent {
  const closeTime = nextOpenTime(interval, openTime) - 1;
  const closed = eventTime > closeTime;
  const [row] = JSON.parse(candles.pageBody(symbol, interval, [openTime], closed ? closeTime : eventTime).toString('latin1')) as [Row];
  const trades = row[8];
  // Trade ids only need to be plausible and increasing; Binance sends -1 for a candle without trades.
  const firstTrade = trades === 0 ? -1 : Math.floor(openTime / 1000);
  return {
    e: 'kline',
    E: eventTime,
    s: symbol,
    k: {
      t: row[0],
      T: row[6],
      s: symbol,
      i: interval,
      f: firstTrade,
      L: trades === 0 ? -1 : firstTrade + trades - 1,
      o: row[1],
      c: row[4],
      h: row[2],
      l: row[3],
      v: row[5],
      n: trades,
      x: closed,
      q: row[7],
      V: row[9],
      Q: row[10],
      B: row[11],
    },
  };
}

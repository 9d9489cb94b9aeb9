import type { Candle } from '@streamforge/schemas';

const MINUTE = 60_000;

/** `count` consecutive 1m candles from `startMs` (default 2024-08-01T00:00Z): a 1440-candle day by default. */
export function minuteCandles(options: { symbol?: string; startMs?: number; count?: number } = {}): Candle[] {
  const symbol = options.symbol ?? 'BTCUSDT';
  const start = options.startMs ?? Date.UTC(2024, 7, 1);
  const count = options.count ?? 1440;
  const candles: Candle[] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const openTime = start + i * MINUTE;
    const open = 30_000 + (i % 97) * 1.25;
    candles[i] = {
      _key: `${symbol}_1m_${openTime}`, symbol, interval: '1m', open_time: openTime, close_time: openTime + MINUTE - 1,
      open, high: open + 12.5, low: open - 7.25, close: open + 3.5, volume: 12.345678 + (i % 13),
      quote_asset_volume: 370_000.123456 + i, number_of_trades: 300 + (i % 50),
      taker_buy_base_asset_volume: 6.1234, taker_buy_quote_asset_volume: 183_000.5,
    };
  }
  return candles;
}

/** The candle as Binance-style decimal strings, as the seed's sink docs show it on the wire. */
export function withDecimalStrings(candle: Candle): Record<string, unknown> {
  const text = (n: number) => n.toFixed(8);
  return {
    ...candle,
    open: text(candle.open), high: text(candle.high), low: text(candle.low), close: text(candle.close), volume: text(candle.volume),
    quote_asset_volume: text(candle.quote_asset_volume), taker_buy_base_asset_volume: text(candle.taker_buy_base_asset_volume),
    taker_buy_quote_asset_volume: text(candle.taker_buy_quote_asset_volume),
  };
}

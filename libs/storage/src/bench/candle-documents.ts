import type { StoredDocument } from '../document-store';

const MINUTE_MS = 60_000;

/** Candle-shaped documents (as the sink writes them) for benchmarks and tests, one per minute. */
export function candleDocuments(count: number, options: { symbol?: string; startOpenTime?: number; offset?: number } = {}): StoredDocument[] {
  const symbol = options.symbol ?? 'BTCUSDT';
  const start = options.startOpenTime ?? Date.UTC(2024, 7, 1);
  const first = options.offset ?? 0;
  const documents: StoredDocument[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const openTime = start + (first + i) * MINUTE_MS;
    const price = 60_000 + ((first + i) % 1000);
    documents[i] = {
      _key: `${symbol}_1m_${openTime}`,
      symbol,
      interval: '1m',
      open_time: openTime,
      close_time: openTime + MINUTE_MS - 1,
      open: `${price}.10000000`,
      high: `${price + 5}.20000000`,
      low: `${price - 5}.30000000`,
      close: `${price + 1}.40000000`,
      volume: '12.34567000',
      quote_volume: '740740.12345678',
      trades: 1234,
      taker_buy_base_volume: '6.17283500',
      taker_buy_quote_volume: '370370.06172839',
    };
  }
  return documents;
}

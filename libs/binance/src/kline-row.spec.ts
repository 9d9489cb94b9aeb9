import { parseKlineRows } from './kline-row';

const T = Date.UTC(2024, 7, 1);
const row = (openTime: number, overrides: Record<number, unknown> = {}): unknown[] => {
  const r: unknown[] = [openTime, '64628.00000000', '64700.50000000', '64600.01000000', '64650.00000000', '12.34500000', openTime + 59_999, '798000.12345678', 1200, '6.10000000', '394000.50000000', '0'];
  for (const [i, v] of Object.entries(overrides)) r[Number(i)] = v;
  return r;
};
const expectPage = { interval: '1m' as const, startTime: T, endTime: T + 999 * 60_000 };

describe('parseKlineRows', () => {
  it('turns decimal strings into numbers', () => {
    const [k] = parseKlineRows([row(T)], expectPage);
    expect(k).toEqual({
      openTime: T, open: 64628, high: 64700.5, low: 64600.01, close: 64650, volume: 12.345, closeTime: T + 59_999,
      quoteAssetVolume: 798000.12345678, numberOfTrades: 1200, takerBuyBaseAssetVolume: 6.1, takerBuyQuoteAssetVolume: 394000.5,
    });
  });

  it.each([
    ['an 11-field row', [row(T), row(T + 60_000).slice(0, 11)], /^row 1: expected an array of 12 fields, got 11 fields$/],
    ['a non-numeric price', [row(T, { 2: 'abc' })], /^row 0: field 2 \(high\) must be a decimal string like "16541.23000000", got "abc"$/],
    ['a number where a string belongs', [row(T, { 5: 12.3 })], /field 5 \(volume\) must be a decimal string/],
    ['an empty string', [row(T, { 1: '' })], /field 1 \(open\)/],
    ['a string open time', [row(T, { 0: String(T) })], /field 0 \(open time\) must be a non-negative integer/],
    ['a fractional trade count', [row(T, { 8: 1.5 })], /field 8 \(number of trades\)/],
    ['rows out of order', [row(T + 60_000), row(T)], /^row 1: field 0 \(open time\) must be after the previous row's/],
    ['a duplicate row', [row(T), row(T)], /must be after the previous row's/],
    ['an open time off the grid', [row(T + 1)], /must be on the 1m grid/],
    ['an open time outside the request', [row(T - 60_000)], /must be within the requested/],
    ['a close before the open', [row(T, { 6: T - 1 })], /field 6 \(close time\) must be after the open time/],
    ['an object instead of an array', { code: 0 }, /^expected a JSON array of rows, got object$/],
  ])('rejects %s, naming the row and field', (_name, body, message) => {
    expect(() => parseKlineRows(body, expectPage)).toThrow(message);
  });

  it('accepts an empty page (a range inside an exchange outage)', () => {
    expect(parseKlineRows([], expectPage)).toEqual([]);
  });
});

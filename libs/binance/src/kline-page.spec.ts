import { KlineJsonError, klinesOf, scanKlinePage } from './kline-page';
import { KlineRowError, parseKlineRows } from './kline-row';
import { CandleFactory } from './testing';

const T = Date.UTC(2024, 7, 1);
const M = 60_000;
const expectPage = { interval: '1m' as const, startTime: T, endTime: T + 999 * M };
const row = (openTime: number, overrides: Record<number, unknown> = {}): unknown[] => {
  const r: unknown[] = [openTime, '64628.00000000', '64700.50000000', '64600.01000000', '64650.00000000', '12.34500000', openTime + 59_999, '798000.12345678', 1200, '0.00000000', '394000.50000000', '0'];
  for (const [i, v] of Object.entries(overrides)) r[Number(i)] = v;
  return r;
};
const body = (rows: unknown) => Buffer.from(JSON.stringify(rows));
const fieldText = (page: ReturnType<typeof scanKlinePage>, r: number, f: number) =>
  page.body.toString('latin1', page.spans[(r * 11 + f) * 2], page.spans[(r * 11 + f) * 2 + 1]);

describe('scanKlinePage', () => {
  it('locates every field as JSON number text, trailing zeros dropped', () => {
    const page = scanKlinePage(body([row(T), row(T + M)]), expectPage);
    expect(page.count).toBe(2);
    expect([...page.openTimes.subarray(0, 2)]).toEqual([T, T + M]);
    expect(Array.from({ length: 11 }, (_, f) => fieldText(page, 0, f))).toEqual([
      String(T), '64628', '64700.5', '64600.01', '64650', '12.345', String(T + 59_999), '798000.12345678', '1200', '0', '394000.5',
    ]);
  });

  it('agrees with parseKlineRows on a simulated page of 1000 rows', () => {
    const opens = Array.from({ length: 1000 }, (_, i) => T + i * M);
    const page = new CandleFactory(7).pageBody('BTCUSDT', '1m', opens, Date.UTC(2030, 0, 1));
    expect(klinesOf(scanKlinePage(page, expectPage))).toEqual(parseKlineRows(JSON.parse(page.toString()), expectPage));
  });

  it('accepts whitespace and escapes through the slow path', () => {
    const pretty = Buffer.from(JSON.stringify([row(T)], null, 2).replace('"0"\n', '"\\u0030"\n'));
    expect(klinesOf(scanKlinePage(pretty, expectPage))).toEqual(parseKlineRows([row(T)], expectPage));
  });

  it('accepts an empty page', () => {
    expect(scanKlinePage(Buffer.from('[]'), expectPage).count).toBe(0);
  });

  it.each([
    ['an 11-field row', [row(T), row(T + M).slice(0, 11)], /^row 1: expected an array of 12 fields, got 11 fields$/],
    ['a non-numeric price', [row(T, { 2: 'abc' })], /^row 0: field 2 \(high\) must be a decimal string like "16541.23000000", got "abc"$/],
    ['a leading zero', [row(T, { 3: '0064600.01' })], /field 3 \(low\) must be a decimal string/],
    ['a negative volume', [row(T, { 5: '-1.0' })], /field 5 \(volume\)/],
    ['a fraction without digits', [row(T, { 1: '1.' })], /field 1 \(open\)/],
    ['rows out of order', [row(T + M), row(T)], /^row 1: field 0 \(open time\) must be after the previous row's/],
    ['an open time off the grid', [row(T + 1)], /must be on the 1m grid/],
    ['an open time outside the request', [row(T + 1000 * M)], /must be within the requested/],
    ['a close before the open', [row(T, { 6: T })], /field 6 \(close time\) must be after the open time/],
  ])('rejects %s with the slow path\'s exact message', (_name, rows, message) => {
    expect(() => scanKlinePage(body(rows), expectPage)).toThrow(KlineRowError);
    expect(() => scanKlinePage(body(rows), expectPage)).toThrow(message);
  });

  it('calls a cut-off body a JSON error (worth a retry)', () => {
    const whole = body([row(T), row(T + M)]);
    expect(() => scanKlinePage(whole.subarray(0, whole.length - 20), expectPage)).toThrow(KlineJsonError);
  });
});

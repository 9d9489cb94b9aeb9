import { CandleFactory, klineEvent } from '@streamforge/binance/testing';
import { MalformedStreamMessageError } from './errors';
import { klineStreamReader } from './kline-stream-message';

const OPEN = Date.UTC(2024, 7, 1, 10, 0);
const read = klineStreamReader('BTCUSDT', '1m');
const closed = klineEvent(new CandleFactory(1), 'BTCUSDT', '1m', OPEN, OPEN + 60_000 + 5);
const text = (value: unknown) => JSON.stringify(value);

function rejection(data: string | Buffer, isBinary = false): string {
  try {
    read(data, isBinary);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedStreamMessageError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('klineStreamReader', () => {
  it('reads a closing kline event as the REST row it equals', () => {
    const message = read(text(closed), false);
    expect(message).toEqual({
      kind: 'kline', eventTime: closed.E, openTime: OPEN, closeTime: OPEN + 59_999, closed: true,
      row: [OPEN, closed.k.o, closed.k.h, closed.k.l, closed.k.c, closed.k.v, OPEN + 59_999, closed.k.q, closed.k.n, closed.k.V, closed.k.Q, closed.k.B],
    });
  });

  it('tolerates an unknown extra field (Binance adds fields without notice)', () => {
    expect(read(text({ ...closed, k: { ...closed.k, z: 1 } }), false)).toMatchObject({ kind: 'kline', closed: true });
  });

  it('reads serverShutdown in both documented shapes', () => {
    expect(read(text({ e: 'serverShutdown', E: 5 }), false)).toEqual({ kind: 'shutdown', eventTime: 5 });
    expect(read(text({ event: { e: 'serverShutdown', E: 6 } }), false)).toEqual({ kind: 'shutdown', eventTime: 6 });
  });

  it.each([
    ['not JSON', '{"e":"kline","E":', /not JSON/],
    ['a price that is not a decimal string', text({ ...closed, k: { ...closed.k, o: 'NaN' } }), /k\.o/],
    ['a number where a decimal string belongs', text({ ...closed, k: { ...closed.k, c: 1.5 } }), /k\.c/],
    ['a missing field', text({ ...closed, k: { ...closed.k, x: undefined } }), /k\.x/],
    ['another symbol', text({ ...closed, s: 'ETHUSDT' }), /expected BTCUSDT/],
    ['another interval', text({ ...closed, k: { ...closed.k, i: '5m' } }), /expected 1m/],
    ['an open time off the grid', text({ ...closed, k: { ...closed.k, t: OPEN + 1 } }), /not on the 1m grid/],
    ['a wrong close time', text({ ...closed, k: { ...closed.k, T: OPEN + 60_000 } }), /expected 1722506459999/],
    ['a subscription answer', text({ result: null, id: 1 }), /e/],
  ])('rejects %s, naming the field', (_what, data, expected) => {
    expect(rejection(data)).toMatch(expected);
  });

  it('rejects a binary frame', () => {
    expect(rejection(Buffer.from([1, 2, 3]), true)).toMatch(/binary frame of 3 bytes/);
  });
});

import type { Candle } from '@streamforge/schemas';
import { documentJson } from '@streamforge/storage';
import { decodeCandle } from './candle-decoder';
import { minuteCandles, withDecimalStrings } from './testing';

const [candle] = minuteCandles({ count: 1 });
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeCandle', () => {
  it('accepts a candle as the loader publishes it', () => {
    expect(decodeCandle(encode(candle))).toEqual({ ok: true, candle });
  });

  it('keeps the text of a candle in the loader\'s plain form for the store, and serialises any other form', () => {
    const plain = JSON.stringify(candle).replace(/"high":([0-9]+\.[0-9]+)/, '"high":$10000');
    expect(plain).toContain('"high":30012.50000');
    const decoded = decodeCandle(Buffer.from(plain));
    expect(decoded).toEqual({ ok: true, candle });
    expect(documentJson((decoded as { candle: Candle }).candle)).toBe(plain);
    const spaced = decodeCandle(Buffer.from(JSON.stringify(candle, null, 2)));
    expect(documentJson((spaced as { candle: Candle }).candle)).toBe(JSON.stringify(candle));
  });

  it('coerces decimal strings to numbers', () => {
    const decoded = decodeCandle(encode({ ...withDecimalStrings(candle), open: '16541.23000000' }));
    expect(decoded).toEqual({ ok: true, candle: { ...candle, open: 16541.23 } });
  });

  it('drops fields that are not part of a candle', () => {
    expect(decodeCandle(encode({ ...candle, ignore: '0', extra: { a: 1 } }))).toEqual({ ok: true, candle });
  });

  it('names the field, the value and what was expected', () => {
    const decoded = decodeCandle(encode({ ...candle, high: 'abc' }));
    expect(decoded).toEqual({ ok: false, kind: 'invalid_candle', reason: expect.stringMatching(/^not a candle: high: a number or a numeric string such as "16541.23" \(got "abc"\)$/) });
  });

  it('refuses a _key that does not match symbol, interval and open time', () => {
    const decoded = decodeCandle(encode({ ...candle, _key: 'BTCUSDT_1m_0' }));
    expect(decoded).toEqual({ ok: false, kind: 'invalid_candle', reason: `not a candle: _key: must be ${candle._key} (<SYMBOL>_<interval>_<open_time>) (got "BTCUSDT_1m_0")` });
  });

  it('refuses what is not JSON, and empty messages', () => {
    expect(decodeCandle(Buffer.from('{"open_time": 1'))).toEqual({ ok: false, kind: 'not_json', reason: expect.stringMatching(/^not JSON: /) });
    expect(decodeCandle(null)).toEqual({ ok: false, kind: 'empty', reason: 'empty message (no value)' });
    expect(decodeCandle(Buffer.alloc(0))).toEqual({ ok: false, kind: 'empty', reason: 'empty message (no value)' });
  });

  it('refuses a JSON value that is not an object', () => {
    expect(decodeCandle(Buffer.from('[1,2]'))).toMatchObject({ ok: false, kind: 'invalid_candle' });
  });
});

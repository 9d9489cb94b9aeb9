import { DEFAULT_INDICATORS, indicatorListSchema } from '@streamforge/schemas';
import fc from 'fast-check';
import { IndicatorInputError, IndicatorOrderError, IndicatorStateError } from './errors';
import type { IndicatorCandle } from './indicator';
import { createIndicatorSet } from './indicator-set';
import { closesToCandles } from './testing';

const set = createIndicatorSet(indicatorListSchema.parse('EMA_3,RSI_2,VWAP_D,ATR_2'));
const candles = closesToCandles([10, 11, 10, 12, 12, 13]);
function candle(i: number): IndicatorCandle {
  const found = candles[i];
  if (!found) throw new Error(`no candle ${i}`);
  return found;
}

describe('createIndicatorSet', () => {
  it('writes every configured field, null during each warm-up, in spec order', () => {
    const stream = set.resume();
    const rows = candles.map((candle) => stream.push(candle));
    expect(set.fields).toEqual(['EMA_3', 'RSI_2', 'VWAP_D', 'ATR_2']);
    expect(Object.keys(rows[0] ?? {})).toEqual(set.fields);
    expect(rows.slice(0, 3)).toEqual([
      { EMA_3: null, RSI_2: null, VWAP_D: 10, ATR_2: null },
      { EMA_3: null, RSI_2: null, VWAP_D: 10.5, ATR_2: null },
      { EMA_3: 31 / 3, RSI_2: 50, VWAP_D: 31 / 3, ATR_2: 1 },
    ]);
    expect(stream.count).toBe(6);
    expect(stream.lastOpenTime).toBe(candle(5).open_time);
  });

  it('builds the default set from DEFAULT_INDICATORS', () => {
    expect(createIndicatorSet(indicatorListSchema.parse(DEFAULT_INDICATORS)).fields).toEqual(['EMA_50', 'EMA_200', 'RSI_14', 'VWAP_D', 'ATR_30']);
  });

  it('writes the values onto a given document', () => {
    const document = { _key: 'BTCUSDT_1m_0', close: 10 };
    const written = set.resume().push(candle(0), document);
    expect(written).toBe(document);
    expect(document).toEqual({ _key: 'BTCUSDT_1m_0', close: 10, EMA_3: null, RSI_2: null, VWAP_D: 10, ATR_2: null });
  });

  it('apply leaves the given state untouched, so any state after candle k can be reused to recompute from k+1', () => {
    const afterTwo = set.applyAll(candles.slice(0, 2), set.initialState()).state;
    const frozen = JSON.stringify(afterTwo);
    const once = set.applyAll(candles.slice(2), afterTwo);
    const republished = { ...candle(2), close: 99, high: 99 };
    const changed = set.apply(republished, afterTwo);
    expect(JSON.stringify(afterTwo)).toBe(frozen);
    expect(changed.values.EMA_3).toBe((10 + 11 + 99) / 3);
    expect(set.applyAll(candles.slice(2), afterTwo)).toEqual(once);
  });

  it('refuses a candle at or before the last open time, naming both, without changing the stream', () => {
    const stream = set.resume();
    stream.push(candle(0));
    stream.push(candle(1));
    const before = stream.snapshot();
    expect(() => stream.push(candle(1))).toThrow(IndicatorOrderError);
    expect(() => stream.push(candle(0))).toThrow(`candle open_time ${candle(0).open_time} is not after the last applied open_time ${candle(1).open_time}`);
    expect(stream.snapshot()).toEqual(before);
  });

  it('refuses non-finite numbers, naming the field, without changing the stream', () => {
    const stream = set.resume();
    stream.push(candle(0));
    const before = stream.snapshot();
    expect(() => stream.push({ ...candle(1), close: Number.NaN })).toThrow(IndicatorInputError);
    expect(() => stream.push({ ...candle(1), volume: Number.POSITIVE_INFINITY })).toThrow(/volume must be a finite number \(got Infinity\)/);
    expect(stream.snapshot()).toEqual(before);
  });

  it('resumes only from a state of the same indicator list, saying what it is for', () => {
    const other = createIndicatorSet(indicatorListSchema.parse('EMA_21,RSI_7'));
    const state = other.applyAll(candles, other.initialState()).state;
    expect(() => set.resume(state)).toThrow(IndicatorStateError);
    expect(() => set.resume(state)).toThrow('indicator state is for EMA_21,RSI_7, not EMA_3,RSI_2,VWAP_D,ATR_2: recompute from the first candle');
    expect(() => set.apply(candle(0), state)).toThrow('indicator state is for EMA_21,RSI_7, not EMA_3,RSI_2,VWAP_D,ATR_2');
  });

  it('refuses a damaged state, naming the field', () => {
    const state = JSON.parse(JSON.stringify(set.applyAll(candles, set.initialState()).state));
    state.indicators[1].gain = 'x';
    expect(() => set.resume(state)).toThrow(/indicator state of RSI_2 is damaged: gain: .*\(got "x"\)/);
    expect(() => set.resume({ version: 2 })).toThrow(/indicator state is damaged: version/);
  });

  it('recomputing from a re-published candle k, from the state after k-1, equals a full run over the changed series', () => {
    const candleArbitrary = fc.record({
      minutesAfterPrevious: fc.integer({ min: 1, max: 3000 }), // up to two days: gaps cross UTC days
      close: fc.integer({ min: 1, max: 50 }), // few distinct prices: flat runs and repeats are common
      spread: fc.integer({ min: 0, max: 5 }),
      volume: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(candleArbitrary, { minLength: 1, maxLength: 120 }), fc.nat(), candleArbitrary, (draws, at, replacement) => {
        let openTime = Date.UTC(2024, 0, 1);
        const series: IndicatorCandle[] = draws.map((draw) => {
          openTime += draw.minutesAfterPrevious * 60_000;
          return { open_time: openTime, high: draw.close + draw.spread, low: draw.close - draw.spread / 10, close: draw.close, volume: draw.volume };
        });
        const k = at % series.length;
        const original = series[k] as IndicatorCandle;
        const changed = series.map((candle, i) => (i === k ? { ...original, close: replacement.close, high: replacement.close + replacement.spread, low: replacement.close, volume: replacement.volume } : candle));
        const snapshots = [set.initialState()];
        const stream = set.resume();
        for (const candle of series) {
          stream.push(candle);
          snapshots.push(JSON.parse(JSON.stringify(stream.snapshot())));
        }
        const recomputed = set.applyAll(changed.slice(k), set.parseState(snapshots[k]));
        const full = set.applyAll(changed, set.initialState());
        expect(recomputed.values).toEqual(full.values.slice(k));
        expect(recomputed.state).toEqual(full.state);
      }),
      { numRuns: 300 },
    );
  });
});

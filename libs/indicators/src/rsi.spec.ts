import { Rsi } from './rsi';
import { closesToCandles } from './testing';

function run(length: number, closes: number[]): Array<number | null> {
  const rsi = new Rsi(length, `RSI_${length}`);
  return closesToCandles(closes).map((candle) => rsi.update(candle));
}

describe('RSI', () => {
  it('is null until i = length, seeds with the mean gain and loss of changes 1..length, then uses Wilder smoothing', () => {
    // changes +1, -1, +2, 0. At i=2: gain 1/2, loss 1/2 -> 50. At i=3: gain (0.5+2)/2 = 1.25,
    // loss 0.5/2 = 0.25 -> 100*1.25/1.5. At i=4: gain 0.625, loss 0.125 -> 100*0.625/0.75.
    expect(run(2, [10, 11, 10, 12, 12])).toEqual([null, null, 50, 100 * (1.25 / 1.5), 100 * (0.625 / 0.75)]);
  });

  it('is 100 when prices only rise and 0 when they only fall', () => {
    expect(run(3, [1, 2, 3, 4, 5]).slice(3)).toEqual([100, 100]);
    expect(run(3, [5, 4, 3, 2, 1]).slice(3)).toEqual([0, 0]);
  });

  it('is 0 in a flat market (both averages 0), as TA-Lib returns, not NaN', () => {
    expect(run(14, Array(20).fill(42))).toEqual([...Array(14).fill(null), ...Array(6).fill(0)]);
  });

  it('resumes from a snapshot taken on the seeding candle exactly as if never stopped', () => {
    const candles = closesToCandles([10, 12, 11, 15, 14, 13, 16, 18]);
    const first = new Rsi(3, 'RSI_3');
    const uninterrupted = candles.map((candle) => first.update(candle));
    const before = new Rsi(3, 'RSI_3');
    candles.slice(0, 4).forEach((candle) => before.update(candle));
    const after = new Rsi(3, 'RSI_3', JSON.parse(JSON.stringify(before.snapshot())));
    expect(candles.slice(4).map((candle) => after.update(candle))).toEqual(uninterrupted.slice(4));
  });
});

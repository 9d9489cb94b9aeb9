import { Ema } from './ema';
import { closesToCandles } from './testing';

function run(length: number, closes: number[]): Array<number | null> {
  const ema = new Ema(length, `EMA_${length}`);
  return closesToCandles(closes).map((candle) => ema.update(candle));
}

describe('EMA', () => {
  it('is null until length-1, seeds with the simple mean there, then smooths with k = 2/(n+1)', () => {
    // k = 0.5: 2, then (4-2)*0.5+2 = 3, then (5-3)*0.5+3 = 4, then (1-4)*0.5+4 = 2.5
    expect(run(3, [1, 2, 3, 4, 5, 1])).toEqual([null, null, 2, 3, 4, 2.5]);
  });

  it('stays at the price in a flat market', () => {
    expect(run(4, [7, 7, 7, 7, 7, 7])).toEqual([null, null, null, 7, 7, 7]);
  });

  it('resumes from a snapshot taken during warm-up exactly as if never stopped', () => {
    const candles = closesToCandles([3, 1, 4, 1, 5, 9, 2, 6]);
    const first = new Ema(5, 'EMA_5');
    const uninterrupted = candles.map((candle) => first.update(candle));
    const before = new Ema(5, 'EMA_5');
    candles.slice(0, 3).forEach((candle) => before.update(candle));
    const after = new Ema(5, 'EMA_5', JSON.parse(JSON.stringify(before.snapshot())));
    expect(candles.slice(3).map((candle) => after.update(candle))).toEqual(uninterrupted.slice(3));
  });
});

import { Atr } from './atr';
import type { IndicatorCandle } from './indicator';
import { closesToCandles } from './testing';

const at = (i: number, high: number, low: number, close: number): IndicatorCandle => ({ open_time: i * 60_000, high, low, close, volume: 1 });

describe('ATR', () => {
  it('is null until i = length, seeds with the mean true range of candles 1..length, then uses Wilder smoothing', () => {
    const atr = new Atr(2, 'ATR_2');
    const candles = [
      at(0, 10, 8, 9), // no previous close: no true range
      at(1, 11, 9, 10), // TR = max(2, |11-9|, |9-9|) = 2
      at(2, 13, 10, 12), // TR = max(3, |13-10|, |10-10|) = 3 -> seed (2+3)/2
      at(3, 20, 18, 19), // gap up: TR = max(2, |20-12|, |18-12|) = 8 -> (2.5*1 + 8)/2
      at(4, 19.5, 10, 11), // TR = max(9.5, |19.5-19|, |10-19|) = 9.5 -> (5.25 + 9.5)/2
    ];
    expect(candles.map((candle) => atr.update(candle))).toEqual([null, null, 2.5, 5.25, 7.375]);
  });

  it('counts a move from the previous close into the range (gap down)', () => {
    const atr = new Atr(1, 'ATR_1');
    expect([at(0, 10, 10, 10), at(1, 6, 5, 5.5)].map((candle) => atr.update(candle))).toEqual([null, 5]);
  });

  it('is 0 in a flat market', () => {
    const atr = new Atr(3, 'ATR_3');
    expect(closesToCandles([5, 5, 5, 5, 5]).map((candle) => atr.update(candle))).toEqual([null, null, null, 0, 0]);
  });
});

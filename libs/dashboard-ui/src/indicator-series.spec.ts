import type { StoredCandle } from '@streamforge/schemas';
import { indicatorFieldsOf, indicatorPane, toIndicatorSeries } from './indicator-series';

const candle = (minute: number, extra: Record<string, unknown>): StoredCandle =>
  ({ _key: `k${minute}`, open_time: minute * 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, ...extra }) as StoredCandle;

describe('indicator series', () => {
  it('finds the indicator fields of any list, prices first, then RSI, then ATR', () => {
    const candles = [candle(0, { RSI_14: null, ATR_30: null, EMA_200: null, EMA_50: 1, VWAP_D: 1, number_of_trades: 3, symbol: 'X' })];
    expect(indicatorFieldsOf(candles)).toEqual(['EMA_50', 'EMA_200', 'VWAP_D', 'RSI_14', 'ATR_30']);
    expect(['EMA_21', 'VWAP_D', 'RSI_7', 'ATR_14'].map(indicatorPane)).toEqual([0, 0, 1, 2]);
    expect(indicatorFieldsOf([candle(0, {})])).toEqual([]);
    expect(indicatorFieldsOf([])).toEqual([]);
  });

  it('draws a point per numeric value and a break per null, at the candle times, skipping times that do not move forward', () => {
    const candles = [candle(0, { EMA_2: null }), candle(1, { EMA_2: 1.25 }), candle(1, { EMA_2: 9 }), candle(2, { EMA_2: 1.5 })];
    expect(toIndicatorSeries(candles, ['EMA_2']).get('EMA_2')).toEqual([{ time: 0 }, { time: 60, value: 1.25 }, { time: 120, value: 1.5 }]);
  });
});

import { DEFAULT_INDICATORS, indicatorListSchema, indicatorListTextSchema } from './indicator-list';
import { describeIssues } from './validation-error';

function errorOf(text: string): string {
  const result = indicatorListSchema.safeParse(text);
  if (result.success) throw new Error(`expected "${text}" to be rejected`);
  return describeIssues(result.error, text);
}

describe('indicatorListSchema', () => {
  it('parses the default list in order, with field names as given', () => {
    expect(indicatorListSchema.parse(DEFAULT_INDICATORS)).toEqual([
      { kind: 'EMA', length: 50, field: 'EMA_50' },
      { kind: 'EMA', length: 200, field: 'EMA_200' },
      { kind: 'RSI', length: 14, field: 'RSI_14' },
      { kind: 'VWAP', anchor: 'D', field: 'VWAP_D' },
      { kind: 'ATR', length: 30, field: 'ATR_30' },
    ]);
  });

  it('takes any length within TA-Lib bounds and ignores blanks around entries', () => {
    expect(indicatorListSchema.parse(' EMA_21, RSI_7 ,ATR_1,EMA_100000').map((spec) => spec.field)).toEqual(['EMA_21', 'RSI_7', 'ATR_1', 'EMA_100000']);
  });

  it('names the bad entry, its position and the accepted forms', () => {
    expect(errorOf('EMA_21,SMA_5')).toMatch(/entry 2: "SMA_5" is not an indicator; expected EMA_<n> .* or VWAP_D/);
    expect(errorOf('ema_21')).toMatch(/entry 1: "ema_21" is not an indicator/);
    expect(errorOf('VWAP_W')).toMatch(/"VWAP_W" is not an indicator/);
  });

  it('rejects lengths outside what the reference accepts', () => {
    expect(errorOf('EMA_1')).toMatch(/"EMA_1": EMA length must be an integer from 2 to 100000/);
    expect(errorOf('RSI_0')).toMatch(/"RSI_0": RSI length must be an integer from 2 to 100000/);
    expect(errorOf('ATR_0')).toMatch(/"ATR_0": ATR length must be an integer from 1 to 100000/);
    expect(errorOf('ATR_100001')).toMatch(/ATR length must be an integer from 1 to 100000/);
    expect(errorOf('EMA_050')).toMatch(/without leading zeros/);
  });

  it('rejects duplicates, empty entries and an empty list', () => {
    expect(errorOf('RSI_14,EMA_5,RSI_14')).toMatch(/entry 3: "RSI_14" is listed twice/);
    expect(errorOf('RSI_14,,EMA_5')).toMatch(/entry 2: "" is not an indicator/);
    expect(errorOf('  ')).toMatch(/must list at least one indicator/);
  });

  it('has a text form that keeps the list as given and refuses the same entries', () => {
    expect(indicatorListTextSchema.parse(' EMA_21,RSI_7 ')).toBe(' EMA_21,RSI_7 ');
    const result = indicatorListTextSchema.safeParse('EMA_21,RSI_1');
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)).toMatch(/entry 2: "RSI_1": RSI length must be an integer from 2 to 100000/);
  });
});

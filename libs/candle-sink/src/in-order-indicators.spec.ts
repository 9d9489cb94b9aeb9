import { createIndicatorSet } from '@streamforge/indicators';
import { indicatorListSchema } from '@streamforge/schemas';
import { documentJson } from '@streamforge/storage';
import { decodeCandle } from './candle-decoder';
import { InOrderIndicators } from './in-order-indicators';
import { minuteCandles } from './testing';

const indicators = createIndicatorSet(indicatorListSchema.parse('EMA_3,RSI_2,VWAP_D,ATR_2'));
const candles = minuteCandles({ count: 20 });
/** As the sink decodes them (the loader's plain JSON, kept as the document's text), through the in-order step. */
function decoder(inOrder: InOrderIndicators) {
  return (candle: (typeof candles)[number]) => {
    const result = decodeCandle(Buffer.from(JSON.stringify(candle)), (c) => inOrder.apply(c));
    if (!result.ok) throw new Error(result.reason);
    return result.candle;
  };
}

describe('InOrderIndicators', () => {
  it('adds the reference values to candles decoded in open_time order, also to the stored JSON text, and covers the load', () => {
    const inOrder = new InOrderIndicators(indicators);
    inOrder.begin(0);
    const documents = candles.map(decoder(inOrder));
    const { values } = indicators.applyAll(candles, indicators.initialState());
    documents.forEach((document, i) => {
      expect(document).toEqual({ ...candles[i], ...values[i] });
      expect(JSON.parse(documentJson(document))).toEqual({ ...candles[i], ...values[i] });
      // The text the store keeps is what its serialiser would write: same fields, order and number forms.
      expect(documentJson(document)).toBe(JSON.stringify(document));
    });
    expect(documents[0]).toMatchObject({ EMA_3: null });
    expect(documents[5]).toMatchObject({ RSI_2: expect.any(Number) });
    expect(inOrder.covers(20, 20)).toBe(true);
    // Not when a write is missing or the store holds other documents too.
    expect(inOrder.covers(19, 20)).toBe(false);
    expect(inOrder.covers(20, 21)).toBe(false);
  });

  it('stops at the first candle out of order (another partition, a re-delivery) and then covers nothing', () => {
    const inOrder = new InOrderIndicators(indicators);
    inOrder.begin(0);
    const decode = decoder(inOrder);
    for (const candle of candles.slice(0, 10)) decode(candle);
    decode(candles[4]);
    const after = decode(candles[10]);
    expect(after).not.toHaveProperty('EMA_3');
    expect(JSON.parse(documentJson(after))).toEqual(candles[10]);
    expect(inOrder.covers(11, 10)).toBe(false);
    expect(inOrder.covers(10, 10)).toBe(false);
  });

  it('computes nothing when the collection was not empty at start (a restart, a second load)', () => {
    const inOrder = new InOrderIndicators(indicators);
    inOrder.begin(7);
    expect(decoder(inOrder)(candles[0])).toEqual(candles[0]);
    expect(inOrder.covers(0, 0)).toBe(false);
  });
});

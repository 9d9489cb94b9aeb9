import { z } from 'zod';
import { candlesQuerySchema } from './candles-api';
import { describeIssues } from './validation-error';

function reasons(query: Record<string, string>): string {
  const result = candlesQuerySchema.safeParse(query);
  if (result.success) throw new Error(`accepted ${JSON.stringify(query)}`);
  return describeIssues(result.error, query);
}

describe('GET /candles query', () => {
  it('reads bounds as epoch ms, instants or whole UTC days', () => {
    expect(candlesQuerySchema.parse({ collection: 'btcusdt_api_candles_1m_2024_08_01', from: '1722470400000', to: '2024-08-01T06:00:00Z', limit: '500' })).toEqual({
      collection: 'btcusdt_api_candles_1m_2024_08_01',
      from: 1722470400000,
      to: 1722492000000,
      limit: 500,
    });
    expect(candlesQuerySchema.parse({ collection: 'c', from: '2024-08-01', to: '2024-08-01' })).toMatchObject({ from: 1722470400000, to: 1722556799999 });
    expect(candlesQuerySchema.parse({ collection: 'c', from: '2024-08-01T02:00:00+02:00' }).from).toBe(1722470400000);
  });

  it('rejects an inverted range on `to`, naming both bounds', () => {
    expect(reasons({ collection: 'c', from: '2024-08-02', to: '2024-08-01T00:00:00Z' })).toBe(
      'to: must not be before from (2024-08-02T00:00:00.000Z); got 2024-08-01T00:00:00.000Z (got "2024-08-01T00:00:00Z")',
    );
  });

  it('rejects unreadable bounds, impossible days and out-of-range limits with the accepted forms', () => {
    expect(reasons({ collection: 'c', from: 'yesterday' })).toMatch(/^from: expected an open time in ms since the epoch .* \(got "yesterday"\)$/);
    expect(reasons({ collection: 'c', to: '2024-02-30' })).toMatch(/^to: 2024-02-30 is not a calendar date; expected /);
    expect(reasons({ collection: 'c', from: '' })).toMatch(/^from: expected an open time/);
    expect(reasons({ collection: 'c', limit: '0' })).toBe('limit: a whole number from 1 to 5000 (got "0")');
    expect(reasons({ collection: 'c', limit: '5001' })).toBe('limit: a whole number from 1 to 5000 (got "5001")');
    expect(reasons({ collection: 'c', limit: '1.5' })).toBe('limit: a whole number from 1 to 5000 (got "1.5")');
    expect(reasons({ collection: 'c', limit: 'ten' })).toBe('limit: a whole number from 1 to 5000 (got "ten")');
  });

  it('two unreadable bounds are two 400 reasons, never a crash of the range check', () => {
    expect(reasons({ collection: 'c', from: '-1', to: '' })).toMatch(/^from: expected .*; to: expected /);
  });

  it('accepts only collection names ArangoDB allows for user collections', () => {
    expect(reasons({ collection: '_system' })).toMatch(/^collection: a collection name: a letter/);
    expect(reasons({ collection: 'a/../b' })).toMatch(/^collection: /);
    expect(reasons({} as Record<string, string>)).toMatch(/^collection: /);
  });

  it('names an unknown query parameter', () => {
    expect(reasons({ collection: 'c', form: '1' })).toMatch(/form/);
  });
});

describe('GET /candles query in the document', () => {
  const document = z.toJSONSchema(candlesQuerySchema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
  it('states the bounds the server enforces: limit as an integer 1-5000, from/to by pattern', () => {
    expect(document.properties.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 5000 });
    const bound = new RegExp(document.properties.from?.pattern as string);
    for (const accepted of ['1722470400000', '2024-08-01', '2024-08-01T06:00Z', '2024-08-01T06:00:00.123+02:00']) {
      expect(bound.test(accepted)).toBe(true);
      expect(candlesQuerySchema.safeParse({ collection: 'c', from: accepted }).success).toBe(true);
    }
    for (const refused of ['', 'yesterday', '2024-13-01', '2024-08-01T24:00Z', '2024-08-01T06:00']) {
      expect(bound.test(refused)).toBe(false);
      expect(candlesQuerySchema.safeParse({ collection: 'c', from: refused }).success).toBe(false);
    }
  });
});

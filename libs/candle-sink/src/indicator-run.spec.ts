import { createIndicatorSet } from '@streamforge/indicators';
import type { TelemetryPublisher } from '@streamforge/kafka';
import { createLogger } from '@streamforge/logging';
import { indicatorListSchema } from '@streamforge/schemas';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { runIndicatorPass } from './indicator-run';
import { minuteCandles } from './testing';

describe('runIndicatorPass', () => {
  it('reports progress as loading events (documents so far, of the total, last open_time) while it pages', async () => {
    const store = createSqliteDocumentStore({ path: ':memory:' });
    await store.ensureCollection('candles');
    const candles = minuteCandles({ count: 250 });
    await store.upsertBatch('candles', candles);
    const sent: Array<{ status: string; fields: Record<string, unknown> }> = [];
    const telemetry = { send: async (status: string, fields: Record<string, unknown> = {}) => void sent.push({ status, fields }) } as unknown as TelemetryPublisher;
    const indicators = createIndicatorSet(indicatorListSchema.parse('EMA_21,ATR_14'));
    const result = await runIndicatorPass('candles', { everyMs: 0, total: 250, pageSize: 100 }, { store, indicators, telemetry, log: createLogger({ service: 'test', level: 'silent' }), eventFields: () => ({ error_count: 0 }) });
    expect(result).toMatchObject({ documents: 250, updated: 250, complete: true });
    expect(sent.map(({ status, fields }) => [status, fields.records_written, fields.last_loaded_timestamp, fields.error_count])).toEqual([
      ['loading', 100, candles[99].open_time, 0],
      ['loading', 200, candles[199].open_time, 0],
      ['loading', 250, candles[249].open_time, 0],
    ]);
    expect(sent[2].fields.message).toBe('indicators EMA_21,ATR_14: 250 of 250 documents in candles (250 updated)');
    await store.close();
  });
});

/**
 * patches/kafkajs+2.2.4.patch encodes records without headers in one pass; the bytes on the wire
 * must be exactly those of kafkajs's own Record encoder.
 */
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (b: object) => Promise<{ buffer: Buffer }> };
const { encodeRecordsWithoutHeaders } = require('kafkajs/src/protocol/requests/produce/v3/request') as {
  encodeRecordsWithoutHeaders: (messages: object[], first: number, now: number) => { count: number; encoder: { buffer: Buffer } } | undefined;
};

const messages = [
  { key: Buffer.from('BTCUSDT_1m_1722470400000'), value: Buffer.from('{"open":1}'), partition: 0 },
  { key: 'a string key', value: 'x'.repeat(300), partition: 0 },
  { key: null, value: Buffer.alloc(0), partition: 0 },
  { key: 'k', value: null, partition: 0, timestamp: 1_700_000_000_123 },
  { key: 'ünïcode', value: '€ value', partition: 0, timestamp: 1_699_999_999_000 },
];
const now = 1_700_000_000_000;

describe('patched kafkajs record encoding', () => {
  it('writes the same record bytes as Record v0', () => {
    const fast = encodeRecordsWithoutHeaders(messages, now - 5_000, now);
    const slow = Buffer.concat(messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: ((m as { timestamp?: number }).timestamp || now) - (now - 5_000) }).buffer));
    expect(fast?.count).toBe(messages.length);
    expect(fast?.encoder.buffer.equals(slow)).toBe(true);
  });

  it('builds the same record batch either way, compressed or not', async () => {
    for (const compression of [0, 1]) {
      const fast = encodeRecordsWithoutHeaders(messages, now, now);
      const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: ((m as { timestamp?: number }).timestamp || now) - now }));
      const common = { compression, firstTimestamp: now, maxTimestamp: now, lastOffsetDelta: messages.length - 1 };
      const a = await RecordBatch({ ...common, records: [], encodedRecords: fast });
      const b = await RecordBatch({ ...common, records });
      expect(a.buffer.equals(b.buffer)).toBe(true);
    }
  });

  it('leaves messages with headers to the generic path', () => {
    expect(encodeRecordsWithoutHeaders([{ key: 'k', value: 'v', headers: { h: '1' } }], now, now)).toBeUndefined();
  });
});

import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, uniqueName } from '@streamforge/kafka/testing';
import { expectedMinuteCandles, judge, liveChecks, readBackCandles } from './bench-checks';

describe('expectedMinuteCandles', () => {
  it('counts the 1m open times of a TIME_RANGE (end day included)', () => {
    expect(expectedMinuteCandles('2023-01-01:2023-12-31')).toBe(525_600);
    expect(expectedMinuteCandles('2024-08-01:2024-08-01')).toBe(1_440);
    expect(expectedMinuteCandles('2024-08-01T00:00Z/2024-08-01T00:30Z')).toBe(30);
  });

  it('names the range it cannot read', () => {
    expect(() => expectedMinuteCandles('2024-02-30:2024-03-01')).toThrow(/"2024-02-30:2024-03-01".*not a calendar date/);
  });
});

describe('judge', () => {
  it('passes only when every figure is what was expected, and says which one is not', () => {
    expect(judge([{ what: 'stored', expected: 10, actual: 10 }]).ok).toBe(true);
    const verdict = judge([{ what: 'stored', expected: 10, actual: 10 }, { what: 'read back', expected: 10, actual: 9 }]);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toEqual(['  check ok       stored: expected 10, got 10', '  check MISMATCH read back: expected 10, got 9']);
  });

  it('holds an at-least figure from that figure up, and says what was expected', () => {
    expect(judge([{ what: 'candles', expected: { atLeast: 2 }, actual: 2 }, { what: 'more', expected: { atLeast: 2 }, actual: 9 }]).ok).toBe(true);
    expect(judge([{ what: 'candles', expected: { atLeast: 2 }, actual: 1 }])).toEqual({ ok: false, lines: ['  check MISMATCH candles: expected at least 2, got 1'] });
    expect(judge([{ what: 'candles', expected: { atLeast: 2 }, actual: 'none' }]).ok).toBe(false);
  });
});

describe('liveChecks', () => {
  it('fails a live run that published nothing, twice, with a hole, or whose worker did not exit 0', () => {
    expect(judge(liveChecks({ exitCode: 0, candles: 12, duplicates: 0, holes: 0 })).ok).toBe(true);
    for (const bad of [{ candles: 0 }, { duplicates: 1 }, { holes: 1 }, { exitCode: 1 }, { exitCode: 'signal' }]) {
      expect({ bad, ok: judge(liveChecks({ exitCode: 0, candles: 12, duplicates: 0, holes: 0, ...bad })).ok }).toEqual({ bad, ok: false });
    }
  });
});

describe('readBackCandles', () => {
  const kafka = createTestKafka('bench-checks-test');

  it('counts candles, distinct keys and end markers of every partition, to the end offsets', async () => {
    const topic = uniqueName('bench-read-back');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    try {
      const candle = (minute: number, partition: number) => ({ key: `BTCUSDT_1m_${minute * 60_000}`, value: '{}', partition });
      await producer.send({ topic, acks: -1, messages: [candle(0, 0), candle(1, 1), candle(2, 0), candle(2, 1), { key: '__eos__', value: '{}', partition: 0 }, { key: '__eos__', value: '{}', partition: 1 }] });
    } finally {
      await producer.disconnect();
    }
    // A duplicate (minute 2 twice) shows as fewer distinct keys than candles.
    expect(await readBackCandles(kafka, topic, 30_000)).toEqual({ candles: 4, distinctKeys: 3, markers: 2 });
  });

  it('reads an empty topic, or one never created, as nothing', async () => {
    const topic = uniqueName('bench-read-back-empty');
    await ensureTopics(kafka, [{ topic }]);
    expect(await readBackCandles(kafka, topic, 30_000)).toEqual({ candles: 0, distinctKeys: 0, markers: 0 });
    expect(await readBackCandles(kafka, uniqueName('bench-never-created'), 30_000)).toEqual({ candles: 0, distinctKeys: 0, markers: 0 });
  });
});

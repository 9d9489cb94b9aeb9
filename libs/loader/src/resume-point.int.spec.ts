import { ensureTopics } from '@streamforge/kafka';
import { createTestKafka, uniqueName } from '@streamforge/kafka/testing';
import { createLogger } from '@streamforge/logging';
import { EOS_HEADER, EOS_KEY } from '@streamforge/schemas';
import { findResumePoint } from './resume-point';

const kafka = createTestKafka('resume-point-test');
const producer = kafka.producer();
const logger = createLogger({ service: 'test', level: 'silent' });
const M = 60_000;
const T = Date.UTC(2024, 7, 1);

beforeAll(() => producer.connect());
afterAll(() => producer.disconnect());

const candle = (symbol: string, openTime: number, partition: number) => ({ key: `${symbol}_1m_${openTime}`, value: '{}', partition });

describe('findResumePoint', () => {
  it('is undefined for an empty topic', async () => {
    const topic = uniqueName('resume-empty');
    await ensureTopics(kafka, [{ topic }]);
    expect(await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m' }, { logger })).toBeUndefined();
  });

  it('skips EOS markers and other series, reading further back when the series is not near the end', async () => {
    const topic = uniqueName('resume-mixed');
    await ensureTopics(kafka, [{ topic }]);
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => candle('BTCUSDT', T + i * M, 0)) });
    // 300 candles of another series after ours: more than the first chunk read from the end.
    await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => candle('ETHUSDT', T + i * M, 0)) });
    await producer.send({ topic, messages: [{ key: EOS_KEY, value: '300', headers: { [EOS_HEADER]: '300' }, partition: 0 }] });
    const point = await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m' }, { logger });
    expect(point?.openTime).toBe(T + 9 * M);
    expect(await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '5m' }, { logger })).toBeUndefined();
  });

  it('with several partitions resumes after the oldest of their newest candles, so a half-failed send leaves no hole', async () => {
    const topic = uniqueName('resume-partitions');
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    await producer.send({
      topic,
      messages: [candle('BTCUSDT', T, 0), candle('BTCUSDT', T + M, 1), candle('BTCUSDT', T + 2 * M, 2), candle('BTCUSDT', T + 3 * M, 0), candle('BTCUSDT', T + 5 * M, 2)],
    });
    const point = await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m' }, { logger });
    expect(point?.openTime).toBe(T + M);
    expect(point?.partitions.map((p) => [p.partition, p.openTime])).toEqual([
      [0, T + 3 * M],
      [1, T + M],
      [2, T + 5 * M],
    ]);
  });

  it('with a range, reads back past the candles of other splits interleaved after its own, and ignores the partitions without one', async () => {
    const topic = uniqueName('resume-splits');
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    const first = { from: T, to: T + 100 * M };
    const second = { from: T + 100 * M, to: T + 200 * M };
    // Split 1 wrote 20 candles on partitions 0 and 1, then split 2 wrote 300 after them (more than the first chunk).
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => candle('BTCUSDT', T + i * M, i % 2)) });
    await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => candle('BTCUSDT', second.from + (i % 100) * M, i % 3)) });
    const point = await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m', range: first }, { logger });
    expect(point?.partitions.map((p) => [p.partition, p.openTime])).toEqual([
      [0, T + 18 * M],
      [1, T + 19 * M],
    ]);
    expect(point?.openTime).toBe(T + 18 * M);
    expect((await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m', range: second }, { logger }))?.openTime).toBe(second.from + 98 * M);
    expect(await findResumePoint(kafka, topic, { symbol: 'BTCUSDT', interval: '1m', range: { from: T + 200 * M, to: T + 300 * M } }, { logger })).toBeUndefined();
  });
});

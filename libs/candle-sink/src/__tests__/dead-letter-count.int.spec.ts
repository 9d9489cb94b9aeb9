import type { KafkaMessage, Producer } from 'kafkajs';
import { createLogger } from '@streamforge/logging';
import { Registry } from '@streamforge/metrics';
import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, uniqueName } from '@streamforge/kafka/testing';
import type { DeadLetter } from '../dead-letter-queue';
import { createDeadLettering } from '../dead-lettering';
import { createSinkMetrics } from '../sink-metrics';

const kafka = createTestKafka('dead-letter-count-test');
const log = createLogger({ service: 'dead-letter-count-test', level: 'fatal' });
let producer: Producer;

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  await producer.connect();
});
afterAll(() => producer.disconnect());

const letter = (partition: number, offset: number): DeadLetter => ({
  partition, kind: 'not_json', reason: 'not JSON',
  message: { key: null, value: Buffer.from('x'), offset: String(offset), timestamp: String(Date.now()), attributes: 0, headers: {} } as KafkaMessage,
});

describe('dead-letter count', () => {
  it('counts each bad message once, even when a rewound slice sends it again, and records per partition what a commit covers', async () => {
    const topic = uniqueName('dlq');
    await ensureTopics(kafka, [{ topic }]);
    const letters = createDeadLettering({ topic, sourceTopic: 'candles' }, { producer, metrics: createSinkMetrics(new Registry()), log });
    // An earlier run committed partition 0 with 3 dead letters below its offset.
    letters.restore(new Map([[0, 3]]));
    await letters.send([letter(0, 10), letter(0, 12), letter(1, 4)]);
    await letters.send([letter(0, 12)]); // the same message again, after a rewind
    expect(letters.count).toBe(6);
    expect(letters.countBelow(0, 12n)).toBe(4);
    expect(letters.countBelow(0, 13n)).toBe(5);
    expect(letters.countBelow(1, 4n)).toBe(0);

    letters.committed(0, 11n);
    expect(letters.count).toBe(6);
    expect(letters.countBelow(0, 11n)).toBe(4);
    expect(letters.countBelow(0, 13n)).toBe(5);
    letters.committed(0, 13n);
    letters.committed(1, 5n);
    expect(letters.count).toBe(6);
    expect(letters.countBelow(1, 5n)).toBe(1);
  });
});

import { Kafka, logLevel } from 'kafkajs';
import { createTestKafka, testBootstrapServers, uniqueName } from './testing';
import { ensureTopics, topicPartitions } from './topics';

const kafka = createTestKafka('topics-test');
// No retries and no logs: an offsets request right after ensureTopics must succeed the first time.
const strict = new Kafka({ clientId: 'topics-test-strict', brokers: testBootstrapServers().split(','), retry: { retries: 0 }, logLevel: logLevel.NOTHING });

describe('ensureTopics (real broker)', () => {
  it("returns only once every new partition's leader answers for it", async () => {
    const admin = strict.admin();
    await admin.connect();
    try {
      for (let i = 0; i < 8; i++) {
        const topic = uniqueName('ensured');
        await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
        const offsets = await admin.fetchTopicOffsets(topic);
        expect(offsets.map((o) => [o.partition, o.high]).sort()).toEqual([[0, '0'], [1, '0'], [2, '0']]);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('leaves an existing topic as it is', async () => {
    const topic = uniqueName('existing');
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    expect(await topicPartitions(kafka, topic)).toEqual([0]);
  });
});

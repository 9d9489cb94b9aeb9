import { closeTestKafka, createHarness, loadRequest, testKafka, type Harness } from './lifecycle-harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => closeTestKafka());

describe('a start creates every topic its workers need', () => {
  it("the data topic and each sink's dead-letter topic (the sink's Kafka user may not create topics)", async () => {
    const h = (harness = await createHarness());
    const { targets } = await h.service.start(loadRequest('DLQUSDT'));
    const sink = targets.find((t) => t.target === 'arango-candles');
    expect(sink).toBeDefined();
    const admin = (await testKafka()).kafka.admin();
    await admin.connect();
    try {
      const topics = new Set(await admin.listTopics());
      expect([sink?.kafka_topic, `${sink?.kafka_topic}-dlq`].filter((topic) => !topics.has(topic as string))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});

import { uniqueName } from '@streamforge/kafka/testing';
import { createMetricsRegistry } from '@streamforge/metrics';
import { createQueueManagerMetrics } from '../queue-manager-metrics';
import { createTelemetryFollower, type TelemetryFollower } from '../telemetry-follower';
import { closeTestKafka, createHarness, eventually, loadRequest, logger, testKafka, type Harness } from './lifecycle-harness';

let harness: Harness | undefined;
let follower: TelemetryFollower | undefined;
afterAll(async () => {
  await follower?.close();
  await harness?.close();
  await closeTestKafka();
});

describe('queue-events in the design documents’ shape', () => {
  it('applies events with status but no event, and sent_at instead of timestamp; skips what is really malformed', async () => {
    const { kafka, producer } = await testKafka();
    const h = (harness = await createHarness());
    const { queue_id: queueId, targets } = await h.service.start(loadRequest());
    const topic = uniqueName('events');
    const metrics = createQueueManagerMetrics(createMetricsRegistry());
    follower = createTelemetryFollower({ topic, groupId: uniqueName('qm') }, { kafka, logger, metrics });
    await follower.start((event) => h.service.handleEvent(event));

    const sentAt = Date.now() / 1000;
    const design = (status: string, records: number) => ({
      queue_id: queueId, producer: targets[1].telemetry_id, symbol: 'BTCUSDT', type: 'api_candles_1m', status, message: `Saved ${records} records`,
      records_written: records, finished: status === 'finished',
    });
    await producer.send({
      topic, acks: -1,
      messages: [
        { key: queueId, value: JSON.stringify({ ...design('started', 0), timestamp: sentAt }) },
        // Malformed: no time at all, and an unknown status. Both are skipped and counted.
        { key: queueId, value: JSON.stringify(design('loading', 10)) },
        { key: queueId, value: JSON.stringify({ ...design('saving', 10), sent_at: sentAt + 1 }) },
        { key: queueId, value: JSON.stringify({ ...design('loading', 15000), sent_at: sentAt + 2 }) },
      ],
    });
    const state = await eventually('the design-shaped events applied', async () => h.repository.get(queueId), (s) => s?.targets[1].records_written === 15000);
    expect(state?.targets[1]).toMatchObject({ status: 'loading', message: 'Saved 15000 records', started_at: sentAt, last_event_at: sentAt + 2 });
    expect((await metrics.eventsInvalid.get()).values[0]?.value).toBe(2);
  });
});

import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder } from '@streamforge/kafka/testing';
import { startKafkaBroker, type RunningKafkaBroker } from '../../../local-kafka/src/kafka-broker';
import {
  CANDLES_IN_ONE_DAY, isAlive, isTerminal, startCandlesFlow, startE2ePlatform, storedCount, target, waitForQueue, workerPids, type E2eRun,
} from '../e2e-harness';

// The whole chain through the queue-manager API: simulator → loader → Kafka → sink → SQLite.
describe('default_candles_flow end to end', () => {
  let run: E2eRun | undefined;
  let ownBroker: RunningKafkaBroker | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
    await ownBroker?.stop();
    ownBroker = undefined;
  });

  it('plain run: finished, 1440 written by each target, exactly 1440 documents', async () => {
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers() });
    const queueId = await startCandlesFlow(run);
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('finished');
    expect(target(state, 'loader-api-candles')).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY, gaps: [] });
    expect(target(state, 'arango-candles')).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY });
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('the sink killed with SIGKILL mid-load is restarted and nothing is lost or doubled', async () => {
    // Slow pages (one request at a time) so the sink can be killed between the first and the last page.
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), simulator: { latencyMs: 2_500 }, env: { LOADER_CONCURRENCY: '1' } });
    const queueId = await startCandlesFlow(run);
    const loading = await waitForQueue(run, queueId, (s) => target(s, 'arango-candles').records_written > 0 && target(s, 'loader-api-candles').status !== 'finished');
    const sinkJob = target(loading, 'arango-candles').job_name;
    const [firstPid] = workerPids(run, sinkJob);
    process.kill(firstPid, 'SIGKILL');
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(workerPids(run, sinkJob).length).toBeGreaterThanOrEqual(2);
    expect(state.status).toBe('finished');
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('survives the Kafka broker stopping and restarting mid-load (same data directory)', async () => {
    ownBroker = await startKafkaBroker();
    run = await startE2ePlatform({ kafkaBootstrapServers: ownBroker.bootstrapServers, simulator: { latencyMs: 2_500 }, env: { LOADER_CONCURRENCY: '1' } });
    const queueId = await startCandlesFlow(run);
    await waitForQueue(run, queueId, (s) => target(s, 'loader-api-candles').records_written > 0 && target(s, 'loader-api-candles').status !== 'finished');
    await ownBroker.restart();
    const state = await waitForQueue(run, queueId, isTerminal, 120_000);
    expect(state.status).toBe('finished');
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('a 429 storm from the exchange: completes, no 418, exactly 1440', async () => {
    run = await startE2ePlatform({
      kafkaBootstrapServers: testBootstrapServers(),
      simulator: { faults: [{ kind: 'rate-limit-storm', fromRequest: 1, count: 3, retryAfterSeconds: 1 }] },
    });
    const queueId = await startCandlesFlow(run);
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('finished');
    const statuses = run.platform.simulator?.requests.map((r) => r.status) ?? [];
    expect(statuses.filter((s) => s === 429).length).toBe(3);
    expect(statuses).not.toContain(418);
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('malformed messages injected into the data topic go to the DLQ; the rest is stored and the error count reported', async () => {
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), simulator: { latencyMs: 2_500 }, env: { LOADER_CONCURRENCY: '1' } });
    const queueId = await startCandlesFlow(run);
    const loading = await waitForQueue(run, queueId, (s) => target(s, 'loader-api-candles').records_written > 0);
    const dataTopic = target(loading, 'arango-candles').kafka_topic;
    const kafka = createTestKafka('e2e-injector');
    await ensureTopics(kafka, [{ topic: `${dataTopic}-dlq` }]);
    const dlq = await new TopicRecorder(kafka, `${dataTopic}-dlq`, 0).start();
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    await producer.send({ topic: dataTopic, messages: [{ key: 'junk-1', value: '{not json' }, { key: 'junk-2', value: JSON.stringify({ _key: 'BTCUSDT_1m_1', open: 'abc' }) }] });
    await producer.disconnect();
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('finished');
    expect(target(state, 'arango-candles').error_count).toBe(2);
    for (const deadline = Date.now() + 20_000; dlq.messages.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    expect(dlq.messages.map((m) => m.value)).toEqual(['{not json', JSON.stringify({ _key: 'BTCUSDT_1m_1', open: 'abc' })]);
    await dlq.close();
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('stop mid-flow: interrupted, and no worker process is left running', async () => {
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), simulator: { latencyMs: 2_000 }, env: { LOADER_CONCURRENCY: '1' } });
    const queueId = await startCandlesFlow(run);
    const loading = await waitForQueue(run, queueId, (s) => s.targets.every((t) => t.status !== 'pending'));
    await run.client.stopQueue(queueId);
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('interrupted');
    expect(state.targets.map((t) => t.status)).toEqual(['interrupted', 'interrupted']);
    const pids = loading.targets.flatMap((t) => workerPids(run as E2eRun, t.job_name));
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, testBootstrapServers, TopicRecorder } from '@streamforge/kafka/testing';
import { startKafkaBroker, type RunningKafkaBroker } from '@streamforge/local-kafka';
import {
  CANDLES_IN_ONE_DAY, isAlive, isTerminal, simulatorOf, startCandlesFlow, startE2ePlatform, storedCount, target, waitForQueue, waitUntil, workerPids, type E2eRun,
} from '../e2e-harness';

// The whole chain through the queue-manager API: simulator → loader → Kafka → sink → SQLite.
// Above waitForQueue's own 60 s: a slow flow fails on the wait that says what it awaited, not on jest's timeout.
jest.setTimeout(150_000);

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
    // One page at a time, and the second held back until the kill: the sink dies between the pages.
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { LOADER_CONCURRENCY: '1' } });
    const release = simulatorOf(run).holdKlines(2);
    const queueId = await startCandlesFlow(run);
    const loading = await waitForQueue(run, queueId, (s) => target(s, 'arango-candles').records_written > 0);
    const sinkJob = target(loading, 'arango-candles').job_name;
    await waitUntil(`the pid of ${sinkJob} in the platform log`, () => workerPids(run as E2eRun, sinkJob).length > 0);
    const [firstPid] = workerPids(run, sinkJob);
    process.kill(firstPid, 'SIGKILL');
    release();
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(workerPids(run, sinkJob).length).toBeGreaterThanOrEqual(2);
    expect(state.status).toBe('finished');
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('survives the Kafka broker stopping and restarting mid-load (same data directory)', async () => {
    ownBroker = await startKafkaBroker();
    run = await startE2ePlatform({ kafkaBootstrapServers: ownBroker.bootstrapServers, env: { LOADER_CONCURRENCY: '1' } });
    // The second page waits until the broker is back: the restart lands between the two pages.
    const release = simulatorOf(run).holdKlines(2);
    const queueId = await startCandlesFlow(run);
    await waitForQueue(run, queueId, (s) => target(s, 'loader-api-candles').records_written > 0);
    await ownBroker.restart();
    release();
    // Not the first terminal status: while queue-manager's own consumer catches up after the
    // outage, a worker that exited can be marked `error` (EXIT_EVENT_GRACE_MS) until its late
    // `finished` event arrives and revives the target. What must hold is where the flow ends.
    const state = await waitForQueue(run, queueId, (s) => s.status === 'finished', 120_000);
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
    // Above the broker's start and restart plus the 120 s the flow may take to recover: the wait above,
    // not jest's default 60 s, says what did not happen (usually 15-26 s; once over 60 s with two suites running).
  }, 240_000);

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
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { LOADER_CONCURRENCY: '1' } });
    // The second page (and so the end-of-stream markers) waits until the junk is in the topic.
    const release = simulatorOf(run).holdKlines(2);
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
    release();
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('finished');
    expect(target(state, 'arango-candles').error_count).toBe(2);
    await waitUntil('2 messages on the DLQ', () => dlq.messages.length >= 2);
    expect(dlq.messages.map((m) => m.value)).toEqual(['{not json', JSON.stringify({ _key: 'BTCUSDT_1m_1', open: 'abc' })]);
    await dlq.close();
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('stop mid-flow: interrupted, and no worker process is left running', async () => {
    // The second page is held back for good: the flow cannot finish before the stop.
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { LOADER_CONCURRENCY: '1' } });
    simulatorOf(run).holdKlines(2);
    const queueId = await startCandlesFlow(run);
    const loading = await waitForQueue(run, queueId, (s) => s.targets.every((t) => t.status !== 'pending'));
    await run.client.stopQueue(queueId);
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('interrupted');
    expect(state.targets.map((t) => t.status)).toEqual(['interrupted', 'interrupted']);
    const pids = loading.targets.flatMap((t) => workerPids(run as E2eRun, t.job_name));
    expect(pids.length).toBeGreaterThanOrEqual(2);
    // A worker sends `interrupted` just before it exits: wait for the exits, not a fixed time.
    await waitUntil(`the worker processes ${pids.join(', ')} to exit`, () => pids.filter(isAlive).length === 0);
  });

  it('queue-manager crashing and restarting mid-flow: the flow still finishes and its state is whole', async () => {
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { LOADER_CONCURRENCY: '1' } });
    // The second page waits until queue-manager has crashed and come back.
    const release = simulatorOf(run).holdKlines(2);
    const queueId = await startCandlesFlow(run);
    const before = await waitForQueue(run, queueId, (s) => target(s, 'loader-api-candles').records_written > 0);
    // SIGKILL, like a crashed pod: the workers keep running, and the new queue-manager reads the
    // telemetry they sent meanwhile from its stable consumer group.
    await run.platform.restartQueueManager('SIGKILL');
    release();
    const state = await waitForQueue(run, queueId, isTerminal);
    expect(state.status).toBe('finished');
    expect(state.created_at).toBe(before.created_at);
    expect(state.targets.map((t) => [t.target, t.status, t.records_written])).toEqual([
      ['loader-api-candles', 'finished', CANDLES_IN_ONE_DAY],
      ['arango-candles', 'finished', CANDLES_IN_ONE_DAY],
    ]);
    expect(state.finished_at).not.toBeNull();
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });
});

import { createTestKafka, testBootstrapServers } from '@streamforge/kafka/testing';
import { readFileSync } from 'node:fs';
import { CANDLES_IN_ONE_DAY, ONE_DAY, simulatorOf, startE2ePlatform, storedCount, target, waitForQueue, waitUntil, type E2eRun } from '../e2e-harness';

// Three sink Jobs of one queue through the queue-manager API: simulator → loader → Kafka → 3 sinks → SQLite.
jest.setTimeout(90_000);

describe('a queue with several instances per target end to end', () => {
  let run: E2eRun | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('launches three sinks on a 6-partition data topic, ends finished with one line per instance and exactly 1440 documents', async () => {
    // A short exit grace: the replicas that leave quietly are recorded soon after the one that reports finished.
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { EXIT_EVENT_GRACE_MS: '1500' } });
    // Candles flow once every replica consumes, so the three share the load rather than the first taking it all.
    const release = simulatorOf(run).holdKlines(1);
    const started = await run.client.startQueue({
      symbol: 'BTCUSDT', time_range: ONE_DAY, type: 'api_candles_1m',
      targets: [{ target: 'loader-api-candles' }, { target: 'arango-candles', replicas: 3 }],
    });
    const sink = started.targets.find((t) => t.target === 'arango-candles');
    expect(sink?.instances?.map((i) => [i.instance, i.job_name, i.telemetry_id])).toEqual([1, 2, 3].map((k) => [`${k}/3`, `${sink?.job_name}-${k}`, `${sink?.telemetry_id}-${k}`]));

    const admin = createTestKafka('e2e-scaled-sinks').admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [sink?.kafka_topic as string] });
      expect(topics[0].partitions).toHaveLength(6);
    } finally {
      await admin.disconnect();
    }

    const consuming = (job: string) => readFileSync((run as E2eRun).platform.logFile, 'utf8').split('\n').some((line) => line.startsWith(`[${job}] `) && line.includes('"msg":"consuming"'));
    await waitUntil('all three sink replicas consuming (their "consuming" log line)', () => (sink?.instances ?? []).every((i) => consuming(i.job_name)), 30_000);
    release();

    // Every instance line ended: one replica reported finished, the others left quietly once it had.
    const state = await waitForQueue(run, started.queue_id, (s) => s.status !== 'loading' && s.status !== 'started' && s.status !== 'pending' && (target(s, 'arango-candles').instances ?? []).every((i) => i.status !== 'loading' && i.status !== 'started' && i.status !== 'pending'));
    expect(state.status).toBe('finished');
    const sinkLine = target(state, 'arango-candles');
    expect(sinkLine).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY });
    expect(sinkLine.instances?.map((i) => [i.instance, i.status])).toEqual([['1/3', 'finished'], ['2/3', 'finished'], ['3/3', 'finished']]);
    // No replica is an error: exactly one reported finished, the other two left quietly once it had.
    const reported = sinkLine.instances?.filter((i) => i.message?.startsWith(`${CANDLES_IN_ONE_DAY} documents in `)) ?? [];
    const quiet = sinkLine.instances?.filter((i) => i.message === 'left quietly: another instance reported finished') ?? [];
    expect([reported.length, quiet.length]).toEqual([1, 2]);
    // Each replica ran (its own telemetry reached its own line) before the load ended.
    expect(sinkLine.instances?.every((i) => i.started_at !== null)).toBe(true);
    expect(target(state, 'loader-api-candles')).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY });
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });

  it('splits the loader in 3 contiguous sub-ranges (one Job each) into 2 sink replicas: finished, exactly 1440 documents, no gap at the seams', async () => {
    run = await startE2ePlatform({ kafkaBootstrapServers: testBootstrapServers(), env: { EXIT_EVENT_GRACE_MS: '1500' } });
    const started = await run.client.startQueue({
      symbol: 'BTCUSDT', time_range: ONE_DAY, type: 'api_candles_1m',
      targets: [{ target: 'loader-api-candles', splits: 3 }, { target: 'arango-candles', replicas: 2 }],
    });
    const loader = started.targets.find((t) => t.target === 'loader-api-candles');
    // Contiguous sub-ranges of 480 candles each, cut on candle boundaries: the seams touch, never overlap.
    const day = Date.UTC(2024, 7, 1);
    const at = (minutes: number) => new Date(day + minutes * 60_000).toISOString();
    expect(loader?.instances?.map((i) => [i.instance, i.time_range])).toEqual([
      ['1/3', `${at(0)}/${at(480)}`],
      ['2/3', `${at(480)}/${at(960)}`],
      ['3/3', `${at(960)}/${at(1440)}`],
    ]);

    const state = await waitForQueue(run, started.queue_id, (s) => s.status !== 'loading' && s.status !== 'started' && s.status !== 'pending' && s.targets.every((t) => (t.instances ?? []).every((i) => i.status !== 'loading' && i.status !== 'started' && i.status !== 'pending')));
    expect(state.status).toBe('finished');
    const loaderLine = target(state, 'loader-api-candles');
    expect(loaderLine).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY });
    expect(loaderLine.instances?.map((i) => [i.instance, i.status, i.records_written])).toEqual([['1/3', 'finished', 480], ['2/3', 'finished', 480], ['3/3', 'finished', 480]]);
    // The sink knew the whole range was in only once every split's markers were: it counted all three.
    expect(target(state, 'arango-candles')).toMatchObject({ status: 'finished', records_written: CANDLES_IN_ONE_DAY });
    expect(await storedCount(run, state)).toBe(CANDLES_IN_ONE_DAY);
  });
});

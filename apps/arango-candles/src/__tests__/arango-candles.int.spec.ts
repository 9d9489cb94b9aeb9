import { spawnSync } from 'node:child_process';
import { DLQ_HEADERS } from '@streamforge/candle-sink';
import { minuteCandles, withDecimalStrings } from '@streamforge/candle-sink/testing';
import { testBootstrapServers } from '@streamforge/kafka/testing';
import { bundlePath, metricsPortOf } from '@streamforge/worker/testing';
import { expectExit, sinkProcessKit, waitUntil, withReferenceIndicators, type SinkEvent as Event } from './sink-process-kit';

const { scenario } = sinkProcessKit('arango-candles-test');

describe('arango-candles against a real broker and SQLite', () => {
  it('stores a 1440-candle day published while it runs, reports progress, then finishes with exit 0', async () => {
    const s = await scenario();
    const sink = s.start();
    await s.waitForEvent('started');
    const candles = minuteCandles();
    await s.publisher.candles(candles, 100);
    await s.publisher.endOfStream(s.partitions, 1440);
    await expectExit(sink, 0);

    const [finished] = await s.waitForEvent('finished');
    expect(finished).toMatchObject({ records_written: 1440, error_count: 0, last_loaded_timestamp: candles[1439].open_time });
    expect(await s.documents()).toBe(1440);
    expect(await s.document(candles[700]._key)).toEqual(withReferenceIndicators(candles)[700]);
    const loading = s.events.values<Event>().filter((e) => e.status === 'loading');
    expect(loading.length).toBeGreaterThan(0);
    expect(loading.every((e) => e.records_written > 0 && e.records_written <= 1440 && typeof e.last_loaded_timestamp === 'number')).toBe(true);
  });

  it('stores candles published before it started (a new group reads from the earliest offset)', async () => {
    const s = await scenario();
    await s.publisher.candles(minuteCandles());
    await s.publisher.endOfStream(s.partitions, 1440);
    const sink = s.start();
    await expectExit(sink, 0);
    expect((await s.waitForEvent('finished'))[0].records_written).toBe(1440);
    expect(await s.documents()).toBe(1440);
  });

  it('keeps one document per candle when every candle arrives twice (once with Binance decimal strings)', async () => {
    const s = await scenario();
    const candles = minuteCandles();
    await s.publisher.candles(candles);
    await s.publisher.candles(candles.map(withDecimalStrings));
    // A loader run announces the distinct candles it published: the second copies came from another run.
    await s.publisher.endOfStream(s.partitions, 1440);
    await expectExit(s.start(), 0);
    expect((await s.waitForEvent('finished'))[0].records_written).toBe(1440);
    expect(await s.documents()).toBe(1440);
    expect(await s.document(candles[5]._key)).toEqual(withReferenceIndicators(candles)[5]);
  });

  it('after kill -9 mid-load, a restarted sink ends with exactly 1440 documents', async () => {
    const s = await scenario();
    await s.publisher.candles(minuteCandles());
    await s.publisher.endOfStream(s.partitions, 1440);
    // Small batches and small fetches: many commits, so the kill lands in the middle of the load.
    const slow = { BATCH_SIZE: '10', FETCH_MAX_BYTES_PER_PARTITION: '4096' };
    const first = s.start(slow);
    await waitUntil(async () => (await s.committed()) > 0, 20_000, 'a first commit');
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const committedAtKill = await s.committed();
    expect(committedAtKill).toBeLessThan(1440 + s.partitions.length);
    expect(await s.documents()).toBeGreaterThanOrEqual(committedAtKill - s.partitions.length);

    const second = s.start();
    await expectExit(second, 0);
    expect((await s.waitForEvent('finished'))[0].records_written).toBe(1440);
    expect(await s.documents()).toBe(1440);
  });

  it('indicators: spread over 3 partitions, kill -9 mid-load, a resumed loader re-publishing a changed candle: every document equals the reference, and a rerun changes nothing', async () => {
    const s = await scenario();
    const candles = minuteCandles();
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, 1440);
    const first = s.start({ BATCH_SIZE: '10', FETCH_MAX_BYTES_PER_PARTITION: '4096' });
    await waitUntil(async () => (await s.committed()) > 0, 20_000, 'a first commit');
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // The resumed loader publishes the second half again, candle 800 with another close (newer Kafka timestamp = newer version).
    const republished = candles.map((candle, i) => (i === 800 ? { ...candle, close: candle.close + 50, high: candle.high + 50 } : candle));
    await s.publisher.candles(republished.slice(720));
    await s.publisher.endOfStream(s.partitions, 720);
    await expectExit(s.start(), 0);
    expect((await s.waitForEvent('finished'))[0].records_written).toBe(1440);
    const expected = withReferenceIndicators(republished);
    const stored = await s.stored();
    expect(stored).toHaveLength(1440);
    stored.forEach((document, i) => expect(document).toEqual(expected[i]));
    expect(stored[199]).toMatchObject({ EMA_50: expect.any(Number), EMA_200: expect.any(Number), RSI_14: expect.any(Number), VWAP_D: expect.any(Number), ATR_30: expect.any(Number) });
    expect(stored[198].EMA_200).toBeNull();

    // A restart after `finished` (a retried Job; the markers are read again) sees the load complete and reported:
    // it exits 0 without a second `finished` and leaves every document as it was.
    const rerun = s.start();
    await expectExit(rerun, 0);
    expect(rerun.stdout()).toContain('another instance of the group reported finished');
    expect(s.events.values<{ queue_id: string; status: string }>().filter((e) => e.queue_id === s.queueId && e.status === 'finished')).toHaveLength(1);
    expect(await s.stored()).toEqual(stored);
  }, 90_000);

  it('indicators: a load arriving in open_time order (one partition) gets them while consuming, without the pass; equal to the reference', async () => {
    const s = await scenario({ partitions: 1 });
    const candles = minuteCandles();
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, 1440);
    const sink = s.start();
    await expectExit(sink, 0);
    expect(sink.stdout()).toContain('no pass needed');
    expect(sink.stdout()).not.toContain('computing indicators over the stored series');
    expect(await s.stored()).toEqual(withReferenceIndicators(candles));
  });

  it('indicators: kill -9 during the indicator pass, then a restart: every document equals the reference', async () => {
    const s = await scenario();
    // Enough candles for a pass of several pages (5,000 documents each) that takes a while.
    const candles = minuteCandles({ count: 30_000 });
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, candles.length);
    const first = s.start();
    await waitUntil(async () => first.stdout().includes('computing indicators over the stored series'), 60_000, 'the indicator pass to start');
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(s.events.values<Event>().filter((e) => e.queue_id === s.queueId && e.status === 'finished')).toEqual([]);
    await expectExit(s.start(), 0);
    expect((await s.waitForEvent('finished'))[0].records_written).toBe(candles.length);
    const expected = withReferenceIndicators(candles);
    const stored = await s.stored();
    expect(stored).toHaveLength(candles.length);
    stored.forEach((document, i) => expect(document).toEqual(expected[i]));
  }, 120_000);

  it('--recompute-indicators computes another list over a stored collection, with started/finished events, no Kafka load', async () => {
    const s = await scenario({ partitions: 1 });
    const candles = minuteCandles();
    await s.publisher.candles(candles);
    await s.publisher.endOfStream(s.partitions, 1440);
    await expectExit(s.start({ INDICATORS: 'none' }), 0);
    expect(await s.document(candles[300]._key)).toEqual(candles[300]);

    const list = 'EMA_21,RSI_7,ATR_14';
    const recompute = s.start({ INDICATORS: list, KAFKA_TOPIC: '', QUEUE_ID: `${s.queueId}-indicators` }, ['--recompute-indicators']);
    await expectExit(recompute, 0);
    const [finished] = await s.events.waitFor<Event>((e) => e.queue_id === `${s.queueId}-indicators` && e.status === 'finished', { timeoutMs: 20_000 });
    expect(finished).toMatchObject({ records_written: 1440, message: expect.stringContaining('1440 updated') });
    expect(s.events.values<Event>().filter((e) => e.queue_id === `${s.queueId}-indicators`).map((e) => e.status)).toEqual(['started', 'finished']);
    expect(await s.stored()).toEqual(withReferenceIndicators(candles, list));
  });

  it('exits 2 naming the entry when INDICATORS holds a bad one', () => {
    const result = spawnSync(process.execPath, [bundlePath('apps', 'arango-candles')], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: 'q1', KAFKA_TOPIC: 'candles', COLLECTION_NAME: 'day', STORE: 'sqlite', INDICATORS: 'EMA_50,SMA_5' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^configuration error: INDICATORS: entry 2: "SMA_5" is not an indicator; expected EMA_<n>.* \(or "none"\) \(got "EMA_50,SMA_5"\)$/);
  });

  it('sends malformed messages to <topic>-dlq with the reason, source partition and offset, and stores all good candles', async () => {
    const s = await scenario({ partitions: 1 });
    const candles = minuteCandles();
    const bad = [
      { key: 'garbage', value: '{"open_time": 17' },
      { key: candles[3]._key, value: JSON.stringify({ ...candles[3], high: 'abc' }) },
      { key: candles[4]._key, value: JSON.stringify({ ...candles[4], _key: 'BTCUSDT_1m_0' }) },
      { key: 'tombstone', value: null },
    ];
    await s.publisher.candles(candles.slice(0, 700));
    await s.publisher.raw(bad);
    await s.publisher.candles(candles.slice(700));
    await s.publisher.endOfStream(s.partitions, 1440);
    await expectExit(s.start(), 0);

    expect(await s.documents()).toBe(1440);
    expect((await s.waitForEvent('finished'))[0]).toMatchObject({ records_written: 1440, error_count: 4 });
    await waitUntil(async () => s.dlq.messages.length >= 4, 20_000, '4 dead letters');
    expect(s.dlq.messages.map((m) => ({ key: m.key, value: m.value, offset: m.headers[DLQ_HEADERS.sourceOffset], partition: m.headers[DLQ_HEADERS.sourcePartition] }))).toEqual(
      bad.map((message, i) => ({ key: message.key, value: message.value, offset: String(700 + i), partition: '0' })),
    );
    expect(s.dlq.messages.map((m) => m.headers[DLQ_HEADERS.reason])).toEqual([
      expect.stringMatching(/^not JSON: /),
      'not a candle: high: a number or a numeric string such as "16541.23" (got "abc")',
      `not a candle: _key: must be ${candles[4]._key} (<SYMBOL>_<interval>_<open_time>) (got "BTCUSDT_1m_0")`,
      'empty message (no value)',
    ]);
    expect(s.dlq.messages.every((m) => m.headers[DLQ_HEADERS.sourceTopic] === s.topic)).toBe(true);
  });

  it('without end-of-stream markers keeps streaming; stop commits what it wrote, sends interrupted and exits 0', async () => {
    const s = await scenario({ partitions: 1 });
    const sink = s.start();
    const port = await metricsPortOf(sink);
    await s.publisher.candles(minuteCandles({ count: 500 }));
    await waitUntil(async () => (await s.committed()) === 500, 20_000, '500 committed candles');
    // The broker has the commit before the sink's gauges are updated: wait for the gauges, not a fixed time.
    let metrics = '';
    await waitUntil(async () => {
      metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^streamforge_arango_candles_committed_offset\{partition="0"\} 500$/m.test(metrics) && /^streamforge_arango_candles_consumer_lag_messages\{partition="0"\} 0$/m.test(metrics);
    }, 20_000, 'the metrics to show offset 500 committed and no lag');
    expect(sink.child.exitCode).toBeNull();

    expect(metrics).toMatch(/^streamforge_arango_candles_records_written_total 500$/m);
    expect(metrics).toMatch(/^streamforge_arango_candles_consumer_lag_messages\{partition="0"\} 0$/m);
    expect(metrics).toMatch(/^streamforge_arango_candles_committed_offset\{partition="0"\} 500$/m);
    expect(metrics).toMatch(/^streamforge_arango_candles_batch_size_candles_sum 500$/m);
    expect(metrics).toMatch(/^streamforge_arango_candles_write_duration_seconds_count [1-9]\d*$/m);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);

    await s.sendCommand('stop');
    await expectExit(sink, 0);
    const [interrupted] = await s.waitForEvent('interrupted');
    expect(interrupted).toMatchObject({ records_written: 500, message: expect.stringMatching(/^stopped by command: 500 documents/) });
    expect(await s.committed()).toBe(500);
  });

  it('treats SIGTERM like stop: interrupted, exit 0', async () => {
    const s = await scenario({ partitions: 1 });
    const sink = s.start();
    await s.publisher.candles(minuteCandles({ count: 100 }));
    await waitUntil(async () => (await s.committed()) === 100, 20_000, '100 committed candles');
    sink.kill('SIGTERM');
    await expectExit(sink, 0);
    expect((await s.waitForEvent('interrupted'))[0]).toMatchObject({ records_written: 100, message: expect.stringMatching(/^stopped by SIGTERM/) });
  });

  it('exits 1 with an error event when the store stays unreachable past STORE_RETRY_TIMEOUT_S', async () => {
    const s = await scenario({ partitions: 1 });
    // Nothing listens on port 1 of the loopback: every ArangoDB request is refused at once.
    const sink = s.start({ STORE: 'arango', ARANGO_URL: 'http://127.0.0.1:1', STORE_RETRY_TIMEOUT_S: '1' });
    await expectExit(sink, 1);
    const [error] = await s.waitForEvent('error');
    // Events never carry a store URL (redacted when sent): the log line has it, the event says <url>.
    expect(error).toMatchObject({ error_message: expect.stringMatching(/^StoreRetryExhaustedError: the store failed \d+ times over .*giving up: StoreUnavailableError: cannot reach ArangoDB <url>/) });
    expect(JSON.stringify(error)).not.toContain('127.0.0.1');
  });

  it('exits 2 with one clear line when COLLECTION_NAME breaks the ArangoDB naming rules', () => {
    const result = spawnSync(process.execPath, [bundlePath('apps', 'arango-candles')], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(), QUEUE_ID: 'q1', KAFKA_TOPIC: 'candles', COLLECTION_NAME: '1st-day', STORE: 'sqlite' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('configuration error: COLLECTION_NAME: collection name "1st-day" must start with a letter (a-z, A-Z) (got "1st-day")');
    expect(result.stdout).toBe('');
  });
});

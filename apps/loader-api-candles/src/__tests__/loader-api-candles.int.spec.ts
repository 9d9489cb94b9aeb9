import { spawnSync } from 'node:child_process';
import axios from 'axios';
import type { Producer } from 'kafkajs';
import { createIdempotentProducer } from '@streamforge/kafka';
import { createTestKafka } from '@streamforge/kafka/testing';
import { EOS_HEADER, EOS_SPLIT_HEADER, candleSchema } from '@streamforge/schemas';
import { bundlePath, killAllWorkerProcesses, metricsPortOf } from '@streamforge/worker/testing';
import { AUG_1, DAY, MINUTE, type Scenario, candleMessages, isEos, klinesRequests, loaderScenario, minutes, openTimes, readTopic } from './loader-harness';

const kafka = createTestKafka('loader-test');
let producer: Producer;
const scenarios: Scenario[] = [];

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  killAllWorkerProcesses();
  await Promise.all(scenarios.map((s) => s.close()));
  await producer.disconnect();
});

async function scenario(...args: Parameters<typeof loaderScenario> extends [unknown, unknown, ...infer R] ? R : never): Promise<Scenario> {
  const s = await loaderScenario(kafka, producer, ...args);
  scenarios.push(s);
  return s;
}

describe('loader-api-candles against the simulator and a real broker', () => {
  it('loads a full day of 1m candles: exactly 1440 messages, unique keys, in order, then EOS', async () => {
    const s = await scenario({ LOADER_PROGRESS_EVERY: '1000' });
    const worker = s.start();
    expect(await worker.exited).toBe(0);
    const messages = await readTopic(kafka, s.dataTopic);
    expect(messages).toHaveLength(1441);
    expect(openTimes(messages)).toEqual(minutes(AUG_1, AUG_1 + DAY));
    const keys = candleMessages(messages).map((m) => m.key);
    expect(new Set(keys).size).toBe(1440);
    expect(keys[0]).toBe(`BTCUSDT_1m_${AUG_1}`);
    for (const m of candleMessages(messages)) expect(candleSchema.safeParse(m.json).success).toBe(true);
    const eos = messages[1440];
    expect(eos && isEos(eos)).toBe(true);
    expect(eos?.headers[EOS_HEADER]).toBe('1440');
    expect(eos?.value).toBe('1440');
    // Unsplit (no LOAD_SPLIT): the marker says so, as every split's marker does.
    expect(eos?.headers[EOS_SPLIT_HEADER]).toBe('1/1');

    // The numbers are Binance's decimal strings, parsed.
    const { data } = await axios.get<unknown[][]>(`${s.sim.url}/api/v3/klines`, { params: { symbol: 'BTCUSDT', interval: '1m', startTime: AUG_1, limit: 1 } });
    const row = data[0] as [number, string, string, string, string, string, number, string, number, string, string];
    expect(messages[0]?.json).toEqual({
      _key: `BTCUSDT_1m_${AUG_1}`, symbol: 'BTCUSDT', interval: '1m', open_time: AUG_1, close_time: row[6],
      open: Number(row[1]), high: Number(row[2]), low: Number(row[3]), close: Number(row[4]), volume: Number(row[5]),
      quote_asset_volume: Number(row[7]), number_of_trades: row[8], taker_buy_base_asset_volume: Number(row[9]), taker_buy_quote_asset_volume: Number(row[10]),
    });

    await s.waitForEvent('started');
    const loading = await s.waitForEvent('loading', (e) => e.records_written >= 1000);
    expect(loading.expected_records).toBe(1440);
    expect(loading.last_loaded_timestamp).toBeGreaterThanOrEqual(AUG_1);
    const finished = await s.waitForEvent('finished');
    expect(finished).toMatchObject({ records_written: 1440, expected_records: 1440, gaps: [], last_loaded_timestamp: AUG_1 + DAY - MINUTE });
  });

  it('fetches a multi-page range concurrently, publishes in time order (gzip, 3 partitions), EOS on every partition', async () => {
    const latencyMs = 300;
    const s = await scenario({ TIME_RANGE: '2024-08-01:2024-08-07', LOADER_CONCURRENCY: '4', LOADER_PARTITIONS: '3', LOADER_BATCH_SIZE: '1500', LOADER_COMPRESSION: 'gzip' }, { latencyMs });
    const worker = s.start();
    expect(await worker.exited).toBe(0);
    const pages = klinesRequests(s.sim);
    expect(pages).toHaveLength(11);
    // In flight at a request's arrival: those that arrived by then and were not answered yet, as
    // the simulator saw them (arrival gaps on a loaded machine say nothing about the loader).
    const inFlightWith = pages.map((p) => pages.filter((q) => q.at <= p.at && (q.answeredAt ?? Infinity) > p.at).length);
    expect(Math.max(...inFlightWith)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...inFlightWith)).toBeLessThanOrEqual(4);
    const messages = await readTopic(kafka, s.dataTopic);
    const candles = candleMessages(messages);
    expect(candles).toHaveLength(7 * 1440);
    expect(new Set(candles.map((c) => c.key)).size).toBe(7 * 1440);
    expect([...openTimes(messages)].sort((a, b) => a - b)).toEqual(minutes(AUG_1, AUG_1 + 7 * DAY));
    for (const partition of [0, 1, 2]) {
      const inPartition = messages.filter((m) => m.partition === partition);
      const times = openTimes(inPartition);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times.length).toBeGreaterThan(0);
      const last = inPartition[inPartition.length - 1];
      expect(last && isEos(last)).toBe(true);
      expect(last?.headers[EOS_HEADER]).toBe(String(7 * 1440));
    }
    expect((await s.waitForEvent('finished')).records_written).toBe(7 * 1440);
  });

  it('rides out a 429 storm: exact count, and nothing sent before Retry-After elapsed', async () => {
    // The storm starts with the first wave of klines requests, sent together before any answer
    // (the latency keeps the first answer back until both arrived); after a 429 the loader must
    // stay silent for Retry-After from the moment the answer left, then probe with one request.
    const s = await scenario(
      { TIME_RANGE: '2024-08-01:2024-08-03', LOADER_CONCURRENCY: '2' },
      { latencyMs: 200, faults: [{ kind: 'rate-limit-storm', fromRequest: 1, count: 4, retryAfterSeconds: 1 }] },
    );
    const worker = s.start();
    expect(await worker.exited).toBe(0);
    expect((await s.waitForEvent('finished')).records_written).toBe(3 * 1440);
    expect(candleMessages(await readTopic(kafka, s.dataTopic))).toHaveLength(3 * 1440);
    const requests = klinesRequests(s.sim);
    const limited = requests.filter((r) => r.status === 429);
    expect(limited).toHaveLength(4);
    expect(requests.some((r) => r.status === 418)).toBe(false);
    for (const r of limited) expect(requests.filter((q) => q.at > (r.answeredAt as number) && q.at < (r.answeredAt as number) + 990)).toEqual([]);
    expect(requests.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('stops at once on 418 with an error naming the ban length, and sends no further requests', async () => {
    // Both fetchers' first requests are on the wire when the ban lands; nothing may follow them.
    const s = await scenario({ TIME_RANGE: '2024-08-01:2024-08-03', LOADER_CONCURRENCY: '2' }, { latencyMs: 200, faults: [{ kind: 'ip-ban', onRequest: 1, banSeconds: 600 }] });
    const worker = s.start();
    expect(await worker.exited).toBe(1);
    const error = await s.waitForEvent('error');
    expect(error.error_message).toMatch(/^Binance banned this IP for 600 s \(HTTP 418, until \d{4}-\d\d-\d\dT.*Z\); stopped at once/);
    expect(error.records_written).toBe(0);
    expect(klinesRequests(s.sim).map((r) => r.status)).toEqual([418, 418]);
    expect(await readTopic(kafka, s.dataTopic)).toEqual([]);
  });

  it('retries a 5xx and a dropped connection on page N and leaves no gap', async () => {
    const s = await scenario(
      { TIME_RANGE: '2024-08-01:2024-08-02', LOADER_CONCURRENCY: '2' },
      { faults: [{ kind: 'status', status: 503, onRequests: [2] }, { kind: 'drop', onRequests: [3] }] },
    );
    const worker = s.start();
    expect(await worker.exited).toBe(0);
    const finished = await s.waitForEvent('finished');
    expect(finished).toMatchObject({ records_written: 2880, gaps: [] });
    expect(openTimes(await readTopic(kafka, s.dataTopic))).toEqual(minutes(AUG_1, AUG_1 + 2 * DAY));
    const requests = klinesRequests(s.sim);
    const failed = requests.filter((r) => r.status !== 200);
    expect(failed.map((r) => r.status)).toEqual([503, 0]);
    for (const f of failed) expect(requests.some((r) => r.status === 200 && r.query.startTime === f.query.startTime)).toBe(true);
  });

  it('fails on an invalid symbol with the Binance code in the error event and exit 1', async () => {
    // One request at a time, so "fails at once, never retried" shows as exactly one request.
    const s = await scenario({ SYMBOL: 'NOPEUSDT', LOADER_CONCURRENCY: '1' });
    const worker = s.start();
    expect(await worker.exited).toBe(1);
    const error = await s.waitForEvent('error');
    expect(error.error_message).toMatch(/HTTP 400, code -1121: Invalid symbol\.$/);
    expect(error.records_written).toBe(0);
    expect(klinesRequests(s.sim)).toHaveLength(1);
    expect(await readTopic(kafka, s.dataTopic)).toEqual([]);
  });

  it('reports a simulated exchange gap in finished instead of failing', async () => {
    const gap = { from: AUG_1 + 100 * MINUTE, to: AUG_1 + 130 * MINUTE };
    const s = await scenario({}, { gaps: [gap] });
    const worker = s.start();
    expect(await worker.exited).toBe(0);
    const finished = await s.waitForEvent('finished');
    expect(finished).toMatchObject({ records_written: 1410, expected_records: 1440, gaps: [{ from: gap.from, to: gap.to - MINUTE }] });
    expect(finished.message).toMatch(/1 exchange gap\(s\), 30 candles missing/);
    const messages = await readTopic(kafka, s.dataTopic);
    expect(openTimes(messages)).toEqual(minutes(AUG_1, AUG_1 + DAY).filter((t) => t < gap.from || t >= gap.to));
    expect(messages[messages.length - 1]?.headers[EOS_HEADER]).toBe('1410');
  });
});

describe('loader-api-candles stops cleanly and resumes', () => {
  // 44 pages at 500 ms, two at a time: about 11 s of loading, so the stop (sent once loading is
  // under way) lands before the end even when a loaded machine delays it by seconds.
  const pageLatency = { latencyMs: 500 };
  const slow = { TIME_RANGE: '2024-07-01:2024-07-30', LOADER_CONCURRENCY: '2', LOADER_BATCH_SIZE: '1000', LOADER_PROGRESS_EVERY: '1000' };

  it('on a stop command: interrupted whose count equals the candles in the topic, exit 0, no EOS', async () => {
    const s = await scenario(slow, pageLatency);
    const worker = s.start();
    await s.waitForEvent('loading', (e) => e.records_written > 0);
    const port = await metricsPortOf(worker);
    const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(scraped).toMatch(/^streamforge_loader_binance_requests_total\{endpoint="GET \/api\/v3\/klines",status="200"\} [1-9]/m);
    expect(scraped).toMatch(/^streamforge_loader_candles_published_total [1-9]/m);
    expect(scraped).toMatch(/^streamforge_loader_binance_used_weight [1-9]/m);
    await s.sendControl({ queue_id: s.queueId, command: 'stop' });
    expect(await worker.exited).toBe(0);
    const interrupted = await s.waitForEvent('interrupted');
    const messages = await readTopic(kafka, s.dataTopic);
    expect(messages.filter(isEos)).toEqual([]);
    expect(interrupted.records_written).toBe(messages.length);
    expect(interrupted.records_written).toBeGreaterThan(0);
    expect(interrupted.records_written).toBeLessThan(30 * 1440);
    expect(openTimes(messages)).toEqual(minutes(Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 1) + messages.length * MINUTE));
    expect(interrupted.message).toMatch(/^stopped by command: published \d+ of 43200 candles/);
  });

  it('on SIGTERM: the same', async () => {
    const s = await scenario(slow, pageLatency);
    const worker = s.start();
    await s.waitForEvent('loading', (e) => e.records_written > 0);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const interrupted = await s.waitForEvent('interrupted');
    const messages = await readTopic(kafka, s.dataTopic);
    expect(messages.filter(isEos)).toEqual([]);
    expect(interrupted.records_written).toBe(messages.length);
    expect(interrupted.message).toMatch(/^stopped by SIGTERM: /);
  });

  it('a second run after kill -9 resumes after the newest candle in the topic', async () => {
    const s = await scenario(slow, pageLatency);
    const first = s.start();
    await s.waitForEvent('loading', (e) => e.records_written > 0);
    first.kill('SIGKILL');
    await first.exited;
    const before = candleMessages(await readTopic(kafka, s.dataTopic));
    expect(before.length).toBeGreaterThan(0);
    const newest = Math.max(...openTimes(before));

    s.sim.setOptions({ latencyMs: 0 });
    s.sim.reset();
    const second = s.start();
    expect(await second.exited).toBe(0);
    expect(klinesRequests(s.sim)[0]?.query.startTime).toBe(String(newest + MINUTE));
    const finished = await s.waitForEvent('finished');
    const all = await readTopic(kafka, s.dataTopic);
    const candles = candleMessages(all);
    expect(finished.records_written).toBe(30 * 1440 - before.length);
    expect(candles).toHaveLength(30 * 1440);
    expect(openTimes(all)).toEqual(minutes(Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 31)));
    expect(all[all.length - 1]?.headers[EOS_HEADER]).toBe(String(finished.records_written));
  });
});

describe('loader-api-candles configuration', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [bundlePath('apps', 'loader-api-candles')], {
      env: { ...process.env, QUEUE_ID: 'q1', SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', TIME_RANGE: '2024-08-01:2024-08-01', KAFKA_TOPIC: 'candles', ...env },
      encoding: 'utf8',
    });

  it.each([
    [{ TIME_RANGE: '2024-08-02:2024-08-01' }, /^configuration error: TIME_RANGE: inverted: the start 2024-08-02 is after the end 2024-08-01 \(got "2024-08-02:2024-08-01"\)$/],
    [{ TIME_RANGE: '1 Aug 2024' }, /^configuration error: TIME_RANGE: expected YYYY-MM-DD:YYYY-MM-DD .* \(got "1 Aug 2024"\)$/],
    [{ INTERVAL: '2m' }, /^configuration error: INTERVAL: one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M \(got "2m"\)$/],
    [{ TYPE: 'api_candles_7m' }, /^configuration error: INTERVAL: not set, and TYPE api_candles_7m does not end in _<interval> with an interval of 1s 1m .* 1M \(it is not set\)$/],
    [{ INTERVAL: '5m' }, /^configuration error: INTERVAL: 5m contradicts TYPE api_candles_1m; set one of them \(got "5m"\)$/],
    [{ LOAD_SPLIT: '4/3' }, /^configuration error: LOAD_SPLIT: expected <k>\/<n> with 1 ≤ k ≤ n ≤ 16, e\.g\. 2\/3 \(got "4\/3"\)$/],
    [{ LOADER_WEIGHT_SHARE: '1.5' }, /^configuration error: LOADER_WEIGHT_SHARE: .*1.*\(got "1.5"\)$/],
  ])('exits 2 with one clear line for %j', (env, line) => {
    const result = run(env);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(line);
  });
});

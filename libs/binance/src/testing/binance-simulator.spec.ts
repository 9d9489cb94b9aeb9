import { spawn } from 'node:child_process';
import * as path from 'node:path';

import axios, { type AxiosResponse } from 'axios';

import { alignOpenTime, nextOpenTime } from '../kline-intervals';
import {
  type BinanceSimulator,
  type BinanceSimulatorOptions,
  expectedOpenTimes,
  startBinanceSimulator,
} from './binance-simulator';

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Market clock pinned to Saturday 2024-06-15 12:34:56.789 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 34, 56, 789);
const DAY_START = Date.UTC(2024, 5, 10);
const DECIMAL_8 = /^\d+\.\d{8}$/;

const http = axios.create({ validateStatus: () => true, transitional: { clarifyTimeoutError: true } });

let sim: BinanceSimulator;
const started: BinanceSimulator[] = [];
/** Rate-limit clock; tests move it instead of sleeping. Starts 5 s into a minute. */
let rateNow: number;

async function start(opts: BinanceSimulatorOptions = {}): Promise<BinanceSimulator> {
  sim = await startBinanceSimulator({ now: () => NOW, rateLimitNow: () => rateNow, ...opts });
  started.push(sim);
  return sim;
}

function get<T = unknown>(p: string, params: Record<string, string | number> = {}): Promise<AxiosResponse<T>> {
  return http.get<T>(sim.url + p, { params });
}

function klines(params: Record<string, string | number>): Promise<AxiosResponse<Row[]>> {
  return get<Row[]>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m', ...params });
}

const opens = (rows: Row[]): number[] => rows.map((r) => r[0]);

beforeEach(() => {
  rateNow = Date.UTC(2024, 5, 15, 12, 0, 5);
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe('klines paging', () => {
  beforeEach(() => start());

  it('serves one day of 1m klines as 1000 + 440 rows', async () => {
    const dayEnd = DAY_START + DAY - 1;
    const first = await klines({ startTime: DAY_START, endTime: dayEnd, limit: 1000 });
    expect(first.status).toBe(200);
    expect(first.data).toHaveLength(1000);
    const lastOpen = first.data[999]?.[0] as number;
    const second = await klines({ startTime: lastOpen + MINUTE, endTime: dayEnd, limit: 1000 });
    expect(second.data).toHaveLength(440);

    const all = [...first.data, ...second.data];
    expect(opens(all)).toEqual(expectedOpenTimes('1m', DAY_START, DAY_START + DAY));
    expect(all[0]?.[0]).toBe(DAY_START);
    expect(all[1439]?.[0]).toBe(DAY_START + DAY - MINUTE);
    for (const row of all) expect(row[6]).toBe(row[0] + MINUTE - 1);
  });

  it('rounds startTime up to the next open time and stops at endTime inclusive', async () => {
    const res = await klines({ startTime: DAY_START + 1, endTime: DAY_START + 5 * MINUTE, limit: 1000 });
    expect(opens(res.data)).toEqual([1, 2, 3, 4, 5].map((m) => DAY_START + m * MINUTE));
  });

  it('with only endTime returns the newest klines opening at or before it', async () => {
    const endTime = DAY_START + 10 * HOUR + 30_000;
    const res = await klines({ endTime, limit: 5 });
    expect(opens(res.data)).toEqual([4, 3, 2, 1, 0].map((m) => DAY_START + 10 * HOUR - m * MINUTE));
  });

  it('without a range returns the 500 most recent klines, the last still open', async () => {
    const res = await klines({});
    expect(res.data).toHaveLength(500);
    const last = res.data[499] as Row;
    expect(last[0]).toBe(alignOpenTime('1m', NOW));
    expect(last[6]).toBeGreaterThan(NOW);
    expect((res.data[498] as Row)[6]).toBeLessThan(NOW);
  });

  it('does not return klines that open after now', async () => {
    const future = await klines({ startTime: NOW + HOUR });
    expect(future.status).toBe(200);
    expect(future.data).toEqual([]);
    const recent = await klines({ startTime: NOW - 2 * MINUTE, endTime: NOW + DAY });
    expect(opens(recent.data)).toEqual([alignOpenTime('1m', NOW) - MINUTE, alignOpenTime('1m', NOW)]);
  });

  it('rejects limits outside 1..1000 and non-numeric times', async () => {
    for (const limit of [0, 1001]) {
      const res = await klines({ limit });
      expect(res.status).toBe(400);
      expect(res.data).toEqual({ code: -1130, msg: "Data sent for parameter 'limit' is not valid." });
    }
    const bad = await klines({ startTime: 'yesterday' });
    expect(bad.status).toBe(400);
    expect((bad.data as unknown as { code: number }).code).toBe(-1100);
    expect((await klines({ limit: 1000 })).data).toHaveLength(1000);
  });
});

describe('kline values', () => {
  it('uses the 12-field row layout with 8-decimal strings and consistent OHLC', async () => {
    await start();
    const { data } = await klines({ startTime: DAY_START, limit: 1000 });
    for (const row of data) {
      expect(row).toHaveLength(12);
      const [openTime, o, h, l, c, v, closeTime, qv, trades, tbb, tbq, ignore] = row;
      expect(typeof openTime).toBe('number');
      expect(typeof closeTime).toBe('number');
      expect(Number.isInteger(trades)).toBe(true);
      for (const s of [o, h, l, c, v, qv, tbb, tbq]) expect(s).toMatch(DECIMAL_8);
      expect(ignore).toBe('0');
      expect(Number(h)).toBeGreaterThanOrEqual(Math.max(Number(o), Number(c)));
      expect(Number(l)).toBeLessThanOrEqual(Math.min(Number(o), Number(c)));
      expect(Number(tbb)).toBeLessThanOrEqual(Number(v));
    }
    // Continuity: each kline opens at the previous close, as a real trade tape would.
    for (let i = 1; i < data.length; i++) expect((data[i] as Row)[1]).toBe((data[i - 1] as Row)[4]);
  });

  it('is deterministic across calls, overlapping pages and instances, and varies with the seed', async () => {
    await start({ seed: 7 });
    const a = await klines({ startTime: DAY_START, limit: 100 });
    const again = await klines({ startTime: DAY_START, limit: 100 });
    const shifted = await klines({ startTime: DAY_START + 50 * MINUTE, limit: 100 });
    const fromEnd = await klines({ endTime: DAY_START + 99 * MINUTE, limit: 100 });
    expect(again.data).toEqual(a.data);
    expect(shifted.data.slice(0, 50)).toEqual(a.data.slice(50));
    expect(fromEnd.data).toEqual(a.data);

    await start({ seed: 7 });
    const twin = await http.get<string>(`${sim.url}/api/v3/klines`, {
      params: { symbol: 'BTCUSDT', interval: '1m', startTime: DAY_START, limit: 100 },
      responseType: 'text',
    });
    expect(JSON.parse(twin.data)).toEqual(a.data);

    await start({ seed: 8 });
    const other = await klines({ startTime: DAY_START, limit: 100 });
    expect(opens(other.data)).toEqual(opens(a.data));
    expect(other.data.map((r) => r[4])).not.toEqual(a.data.map((r) => r[4]));
  });

  it('keeps closed klines fixed while the open kline grows with the clock', async () => {
    let now = Date.UTC(2024, 5, 15, 12, 0, 10);
    sim = await startBinanceSimulator({ now: () => now });
    started.push(sim);
    const early = await klines({ startTime: now - 5 * MINUTE });
    now += 40_000;
    const later = await klines({ startTime: now - 5 * MINUTE - 40_000 });
    expect(later.data.slice(0, -1)).toEqual(early.data.slice(0, -1));
    const [before, after] = [early.data.at(-1) as Row, later.data.at(-1) as Row];
    expect(after[0]).toBe(before[0]);
    expect(after[6]).toBeGreaterThan(now);
    expect(Number(after[5])).toBeGreaterThan(Number(before[5]));
  });
});

describe('weight and rate limits', () => {
  it('reports the used weight on every response and resets at the aligned window', async () => {
    await start();
    const ping = await get('/api/v3/ping');
    expect(ping.data).toEqual({});
    expect(ping.headers['x-mbx-used-weight-1m']).toBe('1');
    const time = await get<{ serverTime: number }>('/api/v3/time');
    expect(time.data).toEqual({ serverTime: NOW });
    expect((await get('/api/v3/exchangeInfo')).headers['x-mbx-used-weight-1m']).toBe('22');
    const k = await klines({ limit: 1 });
    expect(k.headers['x-mbx-used-weight-1m']).toBe('24');
    expect(k.headers['x-mbx-used-weight']).toBe('24');
    expect(k.headers['content-type']).toMatch(/^application\/json/);
    const missing = await get('/api/v3/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-mbx-used-weight-1m']).toBe('24');

    rateNow = Date.UTC(2024, 5, 15, 12, 1, 0);
    expect((await klines({ limit: 1 })).headers['x-mbx-used-weight-1m']).toBe('2');
  });

  it('answers 429 with Retry-After past the limit, then 418 for clients that keep going', async () => {
    await start({ weightLimit: 6 });
    for (let i = 0; i < 3; i++) expect((await klines({ limit: 1 })).status).toBe(200);

    rateNow += 20_400; // 12:00:25.4, window ends at 12:01:00
    const limited = await klines({ limit: 1 });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('35');
    expect(limited.data).toEqual({
      code: -1003,
      msg: 'Too much request weight used; current limit is 6 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
    });

    rateNow += 1_000;
    expect((await klines({ limit: 1 })).status).toBe(429);
    expect((await get('/api/v3/ping')).status).toBe(429);
    const banned = await klines({ limit: 1 });
    expect(banned.status).toBe(418);
    expect(banned.headers['retry-after']).toBe('120');
    expect(banned.data).toEqual({
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${rateNow + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
    });

    rateNow += 60_000; // a new weight window does not lift the ban
    const stillBanned = await get('/api/v3/time');
    expect(stillBanned.status).toBe(418);
    expect(stillBanned.headers['retry-after']).toBe('60');
    rateNow += 60_000;
    expect((await klines({ limit: 1 })).status).toBe(200);
    expect(sim.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429, 418, 418, 200]);
    expect(sim.requests.map((r) => r.weight)).toEqual([2, 2, 2, 2, 2, 1, 2, 0, 2]);
  });

  it('does not ban a client that waits out Retry-After', async () => {
    await start({ weightLimit: 4 });
    await klines({ limit: 1 });
    await klines({ limit: 1 });
    const limited = await klines({ limit: 1 });
    expect(limited.status).toBe(429);
    rateNow += Number(limited.headers['retry-after']) * 1000;
    const retried = await klines({ limit: 1 });
    expect(retried.status).toBe(200);
    expect(retried.headers['x-mbx-used-weight-1m']).toBe('2');
  });

  it('publishes the configured limit and window in exchangeInfo and the headers', async () => {
    await start({ weightLimit: 100, weightWindowMs: 10_000, symbols: ['BTCUSDT', 'ETHBTC'] });
    const res = await get<{
      timezone: string;
      serverTime: number;
      rateLimits: Array<Record<string, unknown>>;
      symbols: Array<Record<string, unknown>>;
    }>('/api/v3/exchangeInfo');
    expect(res.data.timezone).toBe('UTC');
    expect(res.data.serverTime).toBe(NOW);
    expect(res.data.rateLimits[0]).toEqual({
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'SECOND',
      intervalNum: 10,
      limit: 100,
    });
    expect(res.data.symbols.map((s) => [s['symbol'], s['status'], s['baseAsset'], s['quoteAsset']])).toEqual([
      ['BTCUSDT', 'TRADING', 'BTC', 'USDT'],
      ['ETHBTC', 'TRADING', 'ETH', 'BTC'],
    ]);
    expect(res.headers['x-mbx-used-weight-10s']).toBe('20');
  });

  it('never limits when weightLimit is null, and applies setOptions mid-test', async () => {
    await start({ weightLimit: null });
    const info = await get<{ rateLimits: Array<{ rateLimitType: string }> }>('/api/v3/exchangeInfo');
    expect(info.data.rateLimits.map((r) => r.rateLimitType)).not.toContain('REQUEST_WEIGHT');
    for (let i = 0; i < 30; i++) await get('/api/v3/exchangeInfo');
    expect(sim.requests.every((r) => r.status === 200)).toBe(true);

    sim.setOptions({ weightLimit: 600 });
    const over = await klines({ limit: 1 });
    expect(over.status).toBe(429);
    expect(over.headers['x-mbx-used-weight-1m']).toBe('622');
  });
});

describe('faults', () => {
  it('answers scripted 5xx statuses on the Nth klines request only', async () => {
    await start({
      faults: [
        { kind: 'status', status: 503, onRequests: [2] },
        { kind: 'status', status: 500, onRequests: [3] },
      ],
    });
    expect((await klines({ limit: 1 })).status).toBe(200);
    expect((await get('/api/v3/ping')).status).toBe(200); // not a klines request: not counted
    const busy = await klines({ limit: 1 });
    expect(busy.status).toBe(503);
    expect((busy.data as unknown as { code: number }).code).toBe(-1008);
    expect((await klines({ limit: 1 })).status).toBe(500);
    expect((await klines({ limit: 1 })).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    await start({ faults: [{ kind: 'drop', onRequests: [1] }] });
    await expect(klines({ limit: 1 })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await klines({ limit: 1 })).status).toBe(200);
    expect(sim.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('breaks one row of a page: 11 fields or a non-numeric price', async () => {
    await start({
      faults: [
        { kind: 'malformed', onRequests: [1] },
        { kind: 'malformed', onRequests: [2], variant: 'bad-number' },
      ],
    });
    const short = await klines({ startTime: DAY_START, limit: 10 });
    expect(short.status).toBe(200);
    expect(short.data.map((r) => r.length).sort()).toEqual([11, 12, 12, 12, 12, 12, 12, 12, 12, 12]);
    const nan = await klines({ startTime: DAY_START, limit: 10 });
    expect(nan.data.filter((r) => !DECIMAL_8.test(r[1]))).toHaveLength(1);
    expect((await klines({ startTime: DAY_START, limit: 10 })).data.every((r) => r.length === 12)).toBe(true);
  });

  it('sends a storm of 429s under the limit and bans clients that ignore it', async () => {
    await start({ faults: [{ kind: 'rate-limit-storm', fromRequest: 2, count: 2, retryAfterSeconds: 3 }] });
    expect((await klines({ limit: 1 })).status).toBe(200);
    const first = await klines({ limit: 1 });
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect(first.headers['x-mbx-used-weight-1m']).toBe('4');
    rateNow += 3_000;
    expect((await klines({ limit: 1 })).status).toBe(429);
    rateNow += 3_000;
    expect((await klines({ limit: 1 })).status).toBe(200);

    sim.reset();
    sim.setFaults([{ kind: 'rate-limit-storm', fromRequest: 1, count: 10, retryAfterSeconds: 5 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await klines({ limit: 1 })).status);
    expect(statuses).toEqual([429, 429, 429, 418]);
  });

  it('bans the IP on a chosen request (ip-ban) and keeps answering 418 until it ends', async () => {
    await start({ faults: [{ kind: 'ip-ban', onRequest: 2, banSeconds: 300 }] });
    expect((await klines({ limit: 1 })).status).toBe(200);
    const banned = await klines({ limit: 1 });
    expect(banned.status).toBe(418);
    expect(banned.headers['retry-after']).toBe('300');
    rateNow += 299_000;
    expect((await klines({ limit: 1 })).status).toBe(418);
    rateNow += 1_000;
    expect((await klines({ limit: 1 })).status).toBe(200);
  });

  it('reset() clears the log, the klines counter and the weight', async () => {
    await start({ faults: [{ kind: 'status', status: 502, onRequests: [1] }] });
    expect((await klines({ limit: 1 })).status).toBe(502);
    expect((await klines({ limit: 1 })).status).toBe(200);
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    const again = await klines({ limit: 1 });
    expect(again.status).toBe(502);
    expect(again.headers['x-mbx-used-weight-1m']).toBe('2');
  });
});

describe('gaps and listing', () => {
  const gap = { from: DAY_START + 10 * MINUTE, to: DAY_START + 20 * MINUTE };

  it('skips maintenance gaps in both paging directions', async () => {
    await start({ gaps: [gap] });
    const forward = await klines({ startTime: DAY_START, limit: 30 });
    expect(forward.data).toHaveLength(30);
    expect(opens(forward.data)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => DAY_START + i * MINUTE),
      ...Array.from({ length: 20 }, (_, i) => gap.to + i * MINUTE),
    ]);
    const inside = await klines({ startTime: gap.from + MINUTE, limit: 2 });
    expect(opens(inside.data)).toEqual([gap.to, gap.to + MINUTE]);
    const backward = await klines({ endTime: gap.to - 1, limit: 3 });
    expect(opens(backward.data)).toEqual([7, 8, 9].map((m) => DAY_START + m * MINUTE));
    expect(expectedOpenTimes('1m', DAY_START, DAY_START + HOUR, [gap])).toHaveLength(50);
  });

  it('starts history at listedAt', async () => {
    const listedAt = Date.UTC(2017, 7, 17, 4, 0, 30);
    await start({ listedAt });
    const res = await klines({ startTime: 0, limit: 2 });
    expect(opens(res.data)).toEqual([listedAt + 30_000, listedAt + 90_000]);
  });
});

describe('request validation', () => {
  beforeEach(() => start());

  it.each([
    [{ interval: '1m' }, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    [{ symbol: 'BTCUSDT' }, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."],
    [{ symbol: 'NOPEUSDT', interval: '1m' }, -1121, 'Invalid symbol.'],
    [{ symbol: 'BTCUSDT', interval: '1H' }, -1120, 'Invalid interval.'],
    [{ symbol: 'BTCUSDT', interval: '1m', timeZone: '8' }, -1130, "Data sent for parameter 'timeZone' is not valid."],
  ])('rejects %j with %i', async (params, code, msg) => {
    const res = await get('/api/v3/klines', params);
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ code, msg });
  });

  it('rejects duplicate parameters and unknown paths, and records everything', async () => {
    const dup = await get('/api/v3/klines?symbol=BTCUSDT&symbol=ETHUSDT&interval=1m');
    expect(dup.status).toBe(400);
    expect((dup.data as { code: number }).code).toBe(-1101);
    expect((await get('/api/v3/depth', { symbol: 'BTCUSDT' })).status).toBe(404);
    expect(sim.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v3/klines', status: 400, weight: 2 }),
      { at: rateNow, answeredAt: rateNow, method: 'GET', path: '/api/v3/depth', query: { symbol: 'BTCUSDT' }, status: 404, weight: 0 },
    ]);
  });
});

describe('calendar intervals', () => {
  beforeEach(() => start());

  it('opens 1w klines on Monday 00:00 UTC', async () => {
    const wednesday = Date.UTC(2024, 4, 1, 15);
    const res = await klines({ interval: '1w', startTime: wednesday, limit: 6 });
    expect(res.data[0]?.[0]).toBe(Date.UTC(2024, 4, 6));
    for (const row of res.data) {
      const open = new Date(row[0]);
      expect([open.getUTCDay(), open.getUTCHours(), open.getUTCMinutes()]).toEqual([1, 0, 0]);
      expect(row[6]).toBe(row[0] + 7 * DAY - 1);
    }
    expect(res.data.at(-1)?.[0]).toBe(Date.UTC(2024, 5, 10)); // the week containing NOW, still open
    expect(res.data).toHaveLength(6);
  });

  it('opens 1M klines on the 1st and closes them at the end of the calendar month', async () => {
    const res = await klines({ interval: '1M', startTime: Date.UTC(2023, 10, 15), limit: 5 });
    expect(opens(res.data)).toEqual([11, 12, 13, 14, 15].map((m) => Date.UTC(2023, m, 1)));
    const february = res.data[2] as Row;
    expect(february[6] - february[0] + 1).toBe(29 * DAY);
    const current = await klines({ interval: '1M', limit: 1 });
    expect(current.data[0]?.[0]).toBe(Date.UTC(2024, 5, 1));
    expect(current.data[0]?.[6]).toBe(Date.UTC(2024, 6, 1) - 1);
  });

  it('aligns 3d klines to the epoch grid and 1s klines to seconds', async () => {
    const threeDays = await klines({ interval: '3d', limit: 4 });
    for (const row of threeDays.data) expect(row[0] % (3 * DAY)).toBe(0);
    const seconds = await klines({ interval: '1s', limit: 3 });
    expect(opens(seconds.data)).toEqual([2, 1, 0].map((s) => alignOpenTime('1s', NOW) - s * 1000));
    expect(nextOpenTime('1s', NOW)).toBe((seconds.data[2] as Row)[6] + 1);
  });
});

describe('latency', () => {
  it('delays every answer by latencyMs', async () => {
    await start({ latencyMs: 80 });
    const t0 = performance.now();
    await get('/api/v3/ping');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });
});

describe('holdKlines', () => {
  it('answers klines requests before the held one, holds the rest until released, and records when each was answered', async () => {
    await start();
    const release = sim.holdKlines(2);
    expect((await klines({ startTime: DAY_START, limit: 5 })).status).toBe(200);
    const held = klines({ startTime: DAY_START, limit: 5 });
    let answered = false;
    void held.then(() => (answered = true));
    for (const deadline = Date.now() + 10_000; sim.requests.length < 2; await new Promise((resolve) => setTimeout(resolve, 10))) {
      if (Date.now() > deadline) throw new Error('the second klines request never reached the simulator');
    }
    expect((await get('/api/v3/ping')).status).toBe(200); // only klines are held
    expect(answered).toBe(false);
    expect(sim.requests[1]?.answeredAt).toBeUndefined();
    release();
    expect((await held).status).toBe(200);
    expect(sim.requests[1]?.answeredAt).toBe(rateNow);
    expect((await klines({ startTime: DAY_START, limit: 5 })).status).toBe(200);
  });
});

describe('command line', () => {
  it('prints BINANCE_BASE_URL last, serves, and exits cleanly on SIGTERM', async () => {
    const cli = path.join(__dirname, 'binance-simulator-cli.ts');
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), cli, '--port', '0', '--weight-limit', 'off'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /BINANCE_BASE_URL=(\S+)\n$/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}: ${out}`)));
    });
    const ping = await http.get(`${url}/api/v3/ping`);
    expect(ping.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000); // tsx compiles the CLI at start: slow on a busy machine
});

import { createLogger } from '@streamforge/logging';

import { type BinanceKlinesClient, createBinanceKlinesClient } from './binance-klines-client';
import {
  BinanceAbortedError,
  BinanceApiError,
  BinanceBanError,
  BinanceMalformedResponseError,
  BinanceRetriesExhaustedError,
} from './errors';
import { type BinanceSimulator, type BinanceSimulatorOptions, startBinanceSimulator } from './testing';
import { klinesOf } from './kline-page';
import { WeightBudget } from './weight-budget';

const DAY = Date.UTC(2024, 7, 1);
const MINUTE = 60_000;
const logger = createLogger({ service: 'test', level: 'silent' });
const page = { symbol: 'BTCUSDT', interval: '1m' as const, startTime: DAY, endTime: DAY + 999 * MINUTE };

let sim: BinanceSimulator;
let client: BinanceKlinesClient;
let budget: WeightBudget;
const retries: string[] = [];

async function setup(opts: BinanceSimulatorOptions = {}, retry = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRateLimitWaits: 5 }, timeoutMs = 5_000) {
  sim = await startBinanceSimulator(opts);
  budget = new WeightBudget({ limit: 6000, windowMs: 60_000, share: 0.5 });
  retries.length = 0;
  client = createBinanceKlinesClient(
    { baseUrl: sim.url, requestTimeoutMs: timeoutMs, retry, maxSockets: 4 },
    { budget, logger, observer: { retry: (reason) => retries.push(reason) } },
  );
}

afterEach(async () => {
  client.close();
  await sim.close();
});

const klinesRequests = () => sim.requests.filter((r) => r.path === '/api/v3/klines');

describe('BinanceKlinesClient against the simulator', () => {
  it('fetches one page of 1000 validated klines with numbers', async () => {
    await setup();
    const klines = klinesOf(await client.fetchKlines(page));
    expect(klines).toHaveLength(1000);
    expect(klines[0]?.openTime).toBe(DAY);
    expect(klines[999]?.openTime).toBe(DAY + 999 * MINUTE);
    expect(typeof klines[0]?.open).toBe('number');
    expect(klinesRequests()[0]?.query).toEqual({ symbol: 'BTCUSDT', interval: '1m', startTime: String(DAY), endTime: String(page.endTime), limit: '1000' });
  });

  it('reads the REQUEST_WEIGHT limit and window from exchangeInfo into the budget', async () => {
    await setup({ weightLimit: 200, weightWindowMs: 10_000 });
    expect(await client.loadRateLimits('BTCUSDT')).toEqual({ limit: 200, windowMs: 10_000 });
    expect(budget.cap).toBe(100);
    expect(budget.headerName).toBe('x-mbx-used-weight-10s');
  });

  it('logs each pause for the weight budget once, at info level with the wait, however many requests wait', async () => {
    // 80 weight per 2 s window, half of it ours: exchangeInfo (20) and 10-kline pages (2 each) fill several windows.
    const windowMs = 2_000;
    sim = await startBinanceSimulator({ weightLimit: 80, weightWindowMs: windowMs });
    const pauses: Array<{ waitMs: number; usedWeight: number; cap: number }> = [];
    const infoLogger = { ...logger, info: (obj: object, msg: string) => void (/weight budget/.test(msg) && pauses.push(obj as (typeof pauses)[number])), warn: logger.warn.bind(logger), debug: logger.debug.bind(logger) };
    budget = new WeightBudget({ limit: 6000, windowMs: 60_000, share: 0.5 }, { logger: infoLogger });
    client = createBinanceKlinesClient({ baseUrl: sim.url, requestTimeoutMs: 5_000, maxSockets: 4 }, { budget, logger });
    await client.loadRateLimits('BTCUSDT');
    const pages = Array.from({ length: 45 }, (_, i) => ({ ...page, startTime: DAY + i * 10 * MINUTE, endTime: DAY + (i * 10 + 9) * MINUTE, limit: 10 }));
    let next = 0;
    // Four requests in flight, as the loader's default concurrency.
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < pages.length) await client.fetchKlines(pages[next++] as (typeof pages)[number]);
    }));
    const windows = new Set(sim.requests.map((r) => Math.floor(r.at / windowMs)));
    expect(sim.requests.filter((r) => r.status === 429)).toEqual([]);
    // Every window but the last filled up and made the requests wait: one line each.
    expect(pauses).toHaveLength(windows.size - 1);
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    for (const pause of pauses) {
      expect(pause).toEqual(expect.objectContaining({ cap: 40 }));
      expect(pause.waitMs).toBeGreaterThan(0);
      expect(pause.waitMs).toBeLessThanOrEqual(windowMs + 100);
    }
  });

  it('waits out Retry-After on a 429 and sends nothing meanwhile', async () => {
    await setup({ faults: [{ kind: 'rate-limit-storm', fromRequest: 1, count: 2, retryAfterSeconds: 1 }] });
    expect((await client.fetchKlines(page)).count).toBe(1000);
    const [a, b, c] = klinesRequests();
    expect([a?.status, b?.status, c?.status]).toEqual([429, 429, 200]);
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect((c?.at ?? 0) - (b?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(retries).toEqual(['rate-limit', 'rate-limit']);
  });

  it('stops at once on a 418 with the ban length, and sends nothing after it', async () => {
    await setup({ faults: [{ kind: 'ip-ban', onRequest: 1, banSeconds: 300 }] });
    const error = await client.fetchKlines(page).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinanceBanError);
    expect((error as BinanceBanError).retryAfterSeconds).toBe(300);
    expect((error as Error).message).toMatch(/^Binance banned this IP for 300 s \(HTTP 418, until \d{4}-.*Z\)/);
    await expect(client.fetchKlines(page)).rejects.toBe(error);
    expect(klinesRequests()).toHaveLength(1);
  });

  it('retries 5xx and dropped connections with backoff', async () => {
    await setup({ faults: [{ kind: 'status', status: 503, onRequests: [1] }, { kind: 'drop', onRequests: [2] }] });
    expect((await client.fetchKlines(page)).count).toBe(1000);
    expect(klinesRequests().map((r) => r.status)).toEqual([503, 0, 200]);
    expect(retries).toEqual(['server', 'network']);
  });

  it('gives up after the allowed attempts with the last cause', async () => {
    await setup({ faults: [{ kind: 'status', status: 502, onRequests: [1, 2, 3, 4] }] });
    const error = await client.fetchKlines(page).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinanceRetriesExhaustedError);
    expect((error as Error).message).toMatch(/^gave up after 3 attempts: Binance failed GET \/api\/v3\/klines: HTTP 502: code -1001/);
    expect(klinesRequests()).toHaveLength(3);
  });

  it('retries a timeout', async () => {
    await setup({ latencyMs: 300 }, undefined, 100);
    const error = await client.fetchKlines(page).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/gave up after 3 attempts: request to Binance GET \/api\/v3\/klines failed \(timeout\)/);
    expect(retries).toEqual(['timeout', 'timeout']);
  });

  it('fails at once on an invalid symbol with Binance code and message', async () => {
    await setup();
    const error = await client.fetchKlines({ ...page, symbol: 'NOPEUSDT' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinanceApiError);
    expect((error as BinanceApiError).code).toBe(-1121);
    expect((error as Error).message).toMatch(/HTTP 400, code -1121: Invalid symbol\.$/);
    expect(klinesRequests()).toHaveLength(1);
  });

  it('refuses a malformed row instead of skipping it', async () => {
    await setup({ faults: [{ kind: 'malformed', onRequests: [1], variant: 'bad-number' }] });
    const error = await client.fetchKlines(page).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BinanceMalformedResponseError);
    expect((error as Error).message).toMatch(/row 500: field 1 \(open\) must be a decimal string like "16541.23000000", got "abc"/);
    expect(klinesRequests()).toHaveLength(1);
  });

  it('aborts a request in flight', async () => {
    await setup({ latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = client.fetchKlines(page, controller.signal);
    // Abort once the simulator holds the request (in flight for sure), not after a guessed delay.
    for (const deadline = Date.now() + 10_000; klinesRequests().length === 0; await new Promise((resolve) => setTimeout(resolve, 10))) {
      if (Date.now() > deadline) throw new Error('the klines request never reached the simulator');
    }
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(BinanceAbortedError);
  });
});

/**
 * Local stand-in for the Binance spot REST API (klines, exchangeInfo, ping, time) for tests and
 * benchmarks: real HTTP on 127.0.0.1, Binance's weight headers, 429/418 behaviour and error codes,
 * deterministic candles, and scriptable faults.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as querystring from 'node:querystring';

import { type KlineInterval, isKlineInterval } from '../kline-intervals';
import { exchangeInfoBody, type RateWindow, rateWindow, weightHeaderSuffix } from './exchange-info';
import { CandleFactory, type TimeRange, selectOpenTimes } from './simulated-candles';
import { type Fault, banSecondsFor, faultFor, statusFaultBody, stormRetryAfter } from './simulator-faults';
import { type Admission, WeightLimiter } from './weight-limiter';

export type { Fault } from './simulator-faults';
export type { TimeRange } from './simulated-candles';
export { expectedOpenTimes } from './simulated-candles';

export interface BinanceSimulatorOptions {
  /** Default 0 = a free port, always on 127.0.0.1. */
  port?: number;
  /** Seed of the price model; same seed + symbol + interval + openTime gives the same kline. */
  seed?: number;
  /** Valid symbols (default BTCUSDT, ETHUSDT, BNBUSDT, SOLUSDT); others get -1121. */
  symbols?: string[];
  /** Exchange clock in ms (default Date.now): klines opening after it do not exist yet. */
  now?: () => number;
  /**
   * Clock for weight windows, Retry-After, bans and `RecordedRequest.at` (default Date.now).
   * Separate from `now` so a test can pin market time while clients really sleep out a 429.
   */
  rateLimitNow?: () => number;
  /** REQUEST_WEIGHT per window, default 6000; null = no limit. */
  weightLimit?: number | null;
  /** Window length, default 60_000; windows are aligned to the clock like Binance's minute. */
  weightWindowMs?: number;
  /** Delay added before every answer. */
  latencyMs?: number;
  /** The Nth request sent while a Retry-After is pending is answered 418 (default 3). */
  banAfter429s?: number;
  /** Ban length, default 120. */
  banSeconds?: number;
  /** Open-time ranges [from, to) with no klines at all (exchange maintenance). */
  gaps?: TimeRange[];
  /** No kline opens before this instant (the listing); default: history is unbounded. */
  listedAt?: number;
  faults?: Fault[];
}

export interface RecordedRequest {
  /** Arrival time on the rate-limit clock. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status answered; 0 when the socket was dropped (or not answered yet). */
  status: number;
  /** When the answer (or the drop) left, on the rate-limit clock; undefined while it is pending. */
  answeredAt?: number;
  /** Weight charged to the window (0 while banned or for unknown paths). */
  weight: number;
}

export interface BinanceSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every request in arrival order, failed ones included. */
  readonly requests: RecordedRequest[];
  setFaults(faults: Fault[]): void;
  /** Changes limits, latency, clocks, gaps, seed… of the running simulator (not `port`). */
  setOptions(partial: Partial<BinanceSimulatorOptions>): void;
  /** Clears requests, the klines request counter, weight usage, pending Retry-Afters and bans. */
  reset(): void;
  /**
   * Holds the answer to every klines request from the `fromRequest`-th on (counted like faults)
   * until the returned release() is called (or the simulator closes): a test acts "mid-load" on
   * an event, not on a guess of how long a page takes. A predicate instead holds the klines
   * requests whose query it accepts (e.g. one client's, told apart by startTime).
   */
  holdKlines(fromRequest: number | ((query: Record<string, string>) => boolean)): () => void;
  close(): Promise<void>;
}

const DEFAULT_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'];
const DEFAULT_SEED = 20_240_101;
const WEIGHTS: Readonly<Record<string, number>> = {
  '/api/v3/klines': 2,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/ping': 1,
  '/api/v3/time': 1,
};
const UNSIGNED_LONG = '^[0-9]{1,20}$';
const UNSIGNED_LONG_RE = new RegExp(UNSIGNED_LONG);

type ResolvedOptions = Required<Omit<BinanceSimulatorOptions, 'listedAt'>> & { listedAt?: number };

interface Answer {
  status: number;
  body: Buffer | string;
  headers?: Record<string, string>;
}

class ApiError {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
  ) {}
}

function resolve(opts: BinanceSimulatorOptions): ResolvedOptions {
  return {
    port: opts.port ?? 0,
    seed: opts.seed ?? DEFAULT_SEED,
    symbols: opts.symbols ?? DEFAULT_SYMBOLS,
    now: opts.now ?? Date.now,
    rateLimitNow: opts.rateLimitNow ?? Date.now,
    weightLimit: opts.weightLimit === undefined ? 6000 : opts.weightLimit,
    weightWindowMs: opts.weightWindowMs ?? 60_000,
    latencyMs: opts.latencyMs ?? 0,
    banAfter429s: opts.banAfter429s ?? 3,
    banSeconds: opts.banSeconds ?? 120,
    gaps: opts.gaps ?? [],
    listedAt: opts.listedAt,
    faults: opts.faults ?? [],
  };
}

function firstValues(parsed: querystring.ParsedUrlQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    out[key] = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  }
  return out;
}

function mandatory(query: Record<string, string>, name: string): string {
  const value = query[name];
  if (!value) {
    throw new ApiError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
  }
  return value;
}

function optionalLong(query: Record<string, string>, name: string): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (!UNSIGNED_LONG_RE.test(value)) {
    throw new ApiError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${UNSIGNED_LONG}'.`);
  }
  return Number(value);
}

function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Starts the simulator on 127.0.0.1 and resolves once it is listening. */
export async function startBinanceSimulator(
  opts: BinanceSimulatorOptions = {},
): Promise<BinanceSimulator> {
  let options = resolve(opts);
  let window: RateWindow = rateWindow(options.weightWindowMs);
  const limiterConfig = (o: ResolvedOptions) => ({
    limit: o.weightLimit,
    windowMs: o.weightWindowMs,
    banAfter429s: o.banAfter429s,
    banSeconds: o.banSeconds,
  });
  const limiter = new WeightLimiter(limiterConfig(options));
  let candles = new CandleFactory(options.seed);
  const requests: RecordedRequest[] = [];
  let klinesRequests = 0;
  let hold: { fromRequest: number | ((query: Record<string, string>) => boolean); released: Promise<void>; release: () => void } | undefined;

  function weightHeaders(used: number): Record<string, string> {
    const headers: Record<string, string> = {
      'X-MBX-USED-WEIGHT': String(used),
      'X-MBX-USED-WEIGHT-1M': String(used),
    };
    // Binance names the header after the window (…-1M); a custom window gets its own name too,
    // while -1M keeps carrying the count so clients that only know -1M still see it.
    const suffix = weightHeaderSuffix(window);
    if (suffix !== '1M') headers[`X-MBX-USED-WEIGHT-${suffix}`] = String(used);
    return headers;
  }

  function rejection(admission: Exclude<Admission, { kind: 'ok' }>): Answer {
    const retryAfter = { 'Retry-After': String(admission.retryAfterSeconds) };
    if (admission.kind === 'banned') {
      return {
        ...json(418, {
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${admission.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
        }),
        headers: retryAfter,
      };
    }
    const per = `${window.intervalNum} ${window.interval}`;
    const limit = options.weightLimit ?? 'unlimited';
    return {
      ...json(429, {
        code: -1003,
        msg: `Too much request weight used; current limit is ${limit} request weight per ${per}. Please use WebSocket Streams for live updates to avoid polling the API.`,
      }),
      headers: retryAfter,
    };
  }

  function klines(query: Record<string, string>, corruption?: 'short-row' | 'bad-number'): Answer {
    const symbol = mandatory(query, 'symbol');
    const intervalParam = mandatory(query, 'interval');
    if (!options.symbols.includes(symbol)) throw new ApiError(400, -1121, 'Invalid symbol.');
    if (!isKlineInterval(intervalParam)) throw new ApiError(400, -1120, 'Invalid interval.');
    const interval: KlineInterval = intervalParam;
    const startTime = optionalLong(query, 'startTime');
    const endTime = optionalLong(query, 'endTime');
    const limit = optionalLong(query, 'limit') ?? 500;
    if (limit < 1 || limit > 1000) {
      throw new ApiError(400, -1130, "Data sent for parameter 'limit' is not valid.");
    }
    const timeZone = query['timeZone'];
    // Only UTC bucketing is simulated; refuse offsets instead of silently ignoring them.
    if (timeZone !== undefined && !/^[+-]?0{1,2}(:00)?$/.test(timeZone)) {
      throw new ApiError(400, -1130, "Data sent for parameter 'timeZone' is not valid.");
    }
    const now = options.now();
    const openTimes = selectOpenTimes({
      interval,
      startTime,
      endTime,
      limit,
      now,
      gaps: options.gaps,
      listedAt: options.listedAt,
    });
    const corruptIndex = corruption ? Math.floor(openTimes.length / 2) : -1;
    return { status: 200, body: candles.pageBody(symbol, interval, openTimes, now, corruptIndex, corruption) };
  }

  function route(path: string, query: Record<string, string>, corruption?: 'short-row' | 'bad-number'): Answer {
    switch (path) {
      case '/api/v3/klines':
        return klines(query, corruption);
      case '/api/v3/exchangeInfo':
        return json(200, exchangeInfoBody(options.symbols, options.weightLimit, window, options.now()));
      case '/api/v3/ping':
        return json(200, {});
      case '/api/v3/time':
        return json(200, { serverTime: options.now() });
      default:
        return json(404, { code: -1000, msg: 'Not found.' });
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const parsed = querystring.parse(q < 0 ? '' : rawUrl.slice(q + 1));
    const query = firstValues(parsed);
    const method = req.method ?? 'GET';
    const at = options.rateLimitNow();
    const record: RecordedRequest = { at, method, path, query, status: 0, weight: 0 };
    requests.push(record);

    const known = method === 'GET' && WEIGHTS[path] !== undefined;
    const isKlines = known && path === '/api/v3/klines';
    const n = isKlines ? ++klinesRequests : 0;
    let answer: Answer | 'drop';
    let usedWeight: number;
    if (!known) {
      usedWeight = limiter.usedWeight(at);
      answer = json(404, { code: -1000, msg: 'Not found.' });
    } else {
      const banSeconds = isKlines ? banSecondsFor(options.faults, n) : undefined;
      if (banSeconds !== undefined) limiter.banNow(at, banSeconds);
      const storm = isKlines ? stormRetryAfter(options.faults, n) : undefined;
      const admission = limiter.admit(WEIGHTS[path] as number, at, storm);
      record.weight = admission.charged;
      usedWeight = admission.usedWeight;
      if (admission.kind !== 'ok') {
        answer = rejection(admission);
      } else {
        const fault = isKlines ? faultFor(options.faults, n) : undefined;
        if (fault?.kind === 'drop') answer = 'drop';
        else if (fault?.kind === 'status') answer = json(fault.status, statusFaultBody(fault.status));
        else if (Object.values(parsed).some(Array.isArray)) {
          answer = json(400, { code: -1101, msg: 'Duplicate values for a parameter detected.' });
        } else {
          try {
            answer = route(path, query, fault?.kind === 'malformed' ? fault.variant : undefined);
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            answer = json(err.status, { code: err.code, msg: err.msg });
          }
        }
      }
    }

    if (hold && (typeof hold.fromRequest === 'number' ? n >= hold.fromRequest : path === '/api/v3/klines' && hold.fromRequest(query as Record<string, string>))) await hold.released;
    if (options.latencyMs > 0) await sleep(options.latencyMs);
    record.answeredAt = options.rateLimitNow();
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    record.status = answer.status;
    const body = answer.body;
    res.writeHead(answer.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
      ...weightHeaders(usedWeight),
      ...answer.headers,
    });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify({ code: -1000, msg: 'An unknown error occurred while processing the request.' }));
      } else {
        res.destroy();
      }
    });
  });
  // Pooled clients keep sockets for long pulls; outlive their idle timers so we never race them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', fail);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFaults(faults: Fault[]): void {
      options = { ...options, faults };
    },
    setOptions(partial: Partial<BinanceSimulatorOptions>): void {
      const next = resolve({ ...options, ...partial });
      next.port = options.port;
      window = rateWindow(next.weightWindowMs);
      if (next.seed !== options.seed) candles = new CandleFactory(next.seed);
      options = next;
      limiter.configure(limiterConfig(options));
    },
    holdKlines(fromRequest: number | ((query: Record<string, string>) => boolean)): () => void {
      hold?.release();
      let release!: () => void;
      const released = new Promise<void>((done) => (release = done));
      const held = { fromRequest, released, release: () => { if (hold === held) hold = undefined; release(); } };
      hold = held;
      return held.release;
    },
    reset(): void {
      requests.length = 0;
      klinesRequests = 0;
      limiter.reset();
    },
    close(): Promise<void> {
      hold?.release();
      return new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

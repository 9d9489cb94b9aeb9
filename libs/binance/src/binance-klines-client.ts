/**
 * GET /api/v3/klines (and the exchangeInfo rate limits) with the exchange's rules built in: a
 * shared weight budget, Retry-After on 429, an immediate stop on 418, bounded backoff on 5xx and
 * network errors, and strict row validation.
 */
import * as http from 'node:http';
import * as https from 'node:https';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import {
  BinanceAbortedError,
  BinanceApiError,
  BinanceBanError,
  type BinanceError,
  BinanceMalformedResponseError,
  BinanceNetworkError,
  BinanceRateLimitError,
  BinanceRetriesExhaustedError,
  BinanceServerError,
} from './errors';
import type { KlineInterval } from './kline-intervals';
import { KlineJsonError, type KlinePage, scanKlinePage } from './kline-page';
import { KlineRowError } from './kline-row';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffDelayMs } from './retry-policy';
import type { WeightBudget, WeightLimits } from './weight-budget';

/** Request weights from the spot API docs. */
const KLINES_WEIGHT = 2;
const EXCHANGE_INFO_WEIGHT = 20;
export const KLINES_MAX_LIMIT = 1000;

export interface BinanceKlinesClientConfig {
  /** e.g. https://api.binance.com (no trailing path). */
  baseUrl: string;
  /** Sent as X-MBX-APIKEY when set; klines are public, so it is optional. */
  apiKey?: string;
  requestTimeoutMs: number;
  retry?: RetryPolicy;
  /** Keep-alive sockets to Binance (at least the request concurrency). */
  maxSockets: number;
}

/** Hooks for metrics; every one optional. */
export interface BinanceClientObserver {
  /** One HTTP exchange: status code as text, or 'timeout' / 'network'. */
  request?(endpoint: string, outcome: string, seconds: number): void;
  retry?(reason: 'rate-limit' | 'server' | 'network' | 'timeout' | 'malformed'): void;
  rateLimited?(retryAfterSeconds: number): void;
  usedWeight?(weight: number): void;
}

export interface BinanceClientDeps {
  budget: WeightBudget;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  observer?: BinanceClientObserver;
  now?: () => number;
  random?: () => number;
}

export interface KlinesQuery {
  symbol: string;
  interval: KlineInterval;
  /** First open time wanted (ms). */
  startTime: number;
  /** Last open time wanted (ms, inclusive). */
  endTime: number;
  limit?: number;
}

export interface BinanceKlinesClient {
  /**
   * REQUEST_WEIGHT limits from exchangeInfo, also applied to the budget. Asking for one symbol
   * keeps the answer small and makes Binance reject an unknown symbol before any kline request.
   */
  loadRateLimits(symbol: string, signal?: AbortSignal): Promise<WeightLimits>;
  /** One validated page of klines (at most `limit`, default 1000), oldest first. */
  fetchKlines(query: KlinesQuery, signal?: AbortSignal): Promise<KlinePage>;
  /** Closes the keep-alive sockets. */
  close(): void;
}

const WINDOW_UNITS: Readonly<Record<string, number>> = { SECOND: 1_000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** REQUEST_WEIGHT entry of an exchangeInfo body; limit null when the exchange lists none. */
export function requestWeightLimits(body: unknown): WeightLimits {
  const rateLimits = (body as { rateLimits?: unknown } | null)?.rateLimits;
  if (!Array.isArray(rateLimits)) throw new KlineRowError('exchangeInfo has no rateLimits array');
  const entry = rateLimits.find((l) => (l as { rateLimitType?: unknown })?.rateLimitType === 'REQUEST_WEIGHT') as
    | { interval?: unknown; intervalNum?: unknown; limit?: unknown }
    | undefined;
  if (!entry) return { limit: null, windowMs: 60_000 };
  const unit = typeof entry.interval === 'string' ? WINDOW_UNITS[entry.interval] : undefined;
  const num = entry.intervalNum;
  const limit = entry.limit;
  if (unit === undefined || typeof num !== 'number' || !(num > 0) || typeof limit !== 'number' || !(limit > 0)) {
    throw new KlineRowError(`REQUEST_WEIGHT entry is not {interval, intervalNum, limit}: ${JSON.stringify(entry).slice(0, 200)}`);
  }
  return { limit, windowMs: unit * num };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new KlineJsonError(`body is not JSON (${(error as Error).message})`);
  }
}

function binanceBody(data: unknown): { code?: number; msg: string } {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data ?? '');
  try {
    const parsed = JSON.parse(text) as { code?: unknown; msg?: unknown };
    return { code: typeof parsed.code === 'number' ? parsed.code : undefined, msg: typeof parsed.msg === 'string' ? parsed.msg : text.slice(0, 200) };
  } catch {
    return { msg: text.slice(0, 200) || '(empty body)' };
  }
}

function retryAfterSeconds(response: AxiosResponse, fallback: number): number {
  const value = Number(response.headers['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** Creates the client; `close()` releases its sockets. */
export function createBinanceKlinesClient(config: BinanceKlinesClientConfig, deps: BinanceClientDeps): BinanceKlinesClient {
  const policy = config.retry ?? DEFAULT_RETRY_POLICY;
  const now = deps.now ?? Date.now;
  const { budget, logger, observer } = deps;
  const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: config.maxSockets };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const client: AxiosInstance = axios.create({
    baseURL: config.baseUrl,
    timeout: config.requestTimeoutMs,
    httpAgent,
    httpsAgent,
    responseType: 'arraybuffer',
    validateStatus: () => true,
    maxRedirects: 0,
    headers: config.apiKey ? { 'X-MBX-APIKEY': config.apiKey } : {},
    transitional: { clarifyTimeoutError: true },
  });

  function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new BinanceAbortedError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new BinanceAbortedError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends one request per attempt until a body is parsed, a non-retriable error, or the attempts run out. */
  async function call<T>(
    path: string,
    params: Record<string, string | number>,
    weight: number,
    parse: (body: Buffer) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    const endpoint = `GET ${path}`;
    let failures = 0;
    let rateLimitWaits = 0;
    for (;;) {
      const ticket = await budget.acquire(weight, signal);
      const started = performance.now();
      let response: AxiosResponse;
      let error: BinanceError;
      try {
        response = await client.get(path, { params, signal });
      } catch (err) {
        budget.settle(ticket);
        if (signal?.aborted || axios.isCancel(err)) throw new BinanceAbortedError();
        const reason = (err as { code?: string }).code === 'ETIMEDOUT' ? 'timeout' : 'network';
        observer?.request?.(endpoint, reason, (performance.now() - started) / 1000);
        error = new BinanceNetworkError(endpoint, reason, err);
        failures = await backOff(error, reason, failures, signal);
        continue;
      }
      const used = Number(response.headers[budget.headerName] ?? response.headers['x-mbx-used-weight-1m'] ?? response.headers['x-mbx-used-weight']);
      budget.settle(ticket, { usedWeight: Number.isFinite(used) ? used : undefined });
      const status = response.status;
      observer?.request?.(endpoint, String(status), (performance.now() - started) / 1000);
      if (Number.isFinite(used)) observer?.usedWeight?.(used);

      if (status === 200) {
        try {
          return parse(response.data as Buffer);
        } catch (err) {
          if (err instanceof KlineJsonError) {
            error = new BinanceMalformedResponseError(endpoint, err.message, true);
            failures = await backOff(error, 'malformed', failures, signal);
            continue;
          }
          if (err instanceof KlineRowError) throw new BinanceMalformedResponseError(`${endpoint} ${JSON.stringify(params)}`, err.message, false);
          throw err;
        }
      }
      const { code, msg } = binanceBody(response.data);
      if (status === 418) {
        const seconds = retryAfterSeconds(response, 120);
        const ban = new BinanceBanError(seconds, now() + seconds * 1000, msg);
        budget.ban(ban);
        throw ban;
      }
      if (status === 429) {
        // Without Retry-After, the rest of the window is the safe wait.
        const seconds = retryAfterSeconds(response, Math.ceil(budget.windowMs / 1000));
        const limited = new BinanceRateLimitError(endpoint, seconds, msg);
        budget.pause(seconds * 1000);
        observer?.rateLimited?.(seconds);
        observer?.retry?.('rate-limit');
        if (++rateLimitWaits > policy.maxRateLimitWaits) throw new BinanceRetriesExhaustedError(rateLimitWaits, limited);
        logger.warn({ endpoint, retryAfterSeconds: seconds, usedWeight: used, code }, 'rate-limited by Binance (429): pausing every request for Retry-After');
        continue;
      }
      if (status >= 500) {
        error = new BinanceServerError(endpoint, status, code === undefined ? msg : `code ${code}: ${msg}`);
        failures = await backOff(error, 'server', failures, signal);
        continue;
      }
      throw new BinanceApiError(`${endpoint} ${JSON.stringify(params)}`, status, code, msg);
    }
  }

  async function backOff(error: BinanceError, reason: 'server' | 'network' | 'timeout' | 'malformed', failures: number, signal?: AbortSignal): Promise<number> {
    const failed = failures + 1;
    if (failed >= policy.maxAttempts) throw new BinanceRetriesExhaustedError(failed, error);
    const delayMs = backoffDelayMs(policy, failed, deps.random);
    observer?.retry?.(reason);
    logger.warn({ err: error.message, attempt: failed, nextAttemptInMs: delayMs }, 'Binance request failed; retrying');
    await sleep(delayMs, signal);
    return failed;
  }

  return {
    async loadRateLimits(symbol, signal) {
      const limits = await call('/api/v3/exchangeInfo', { symbol }, EXCHANGE_INFO_WEIGHT, (body) => requestWeightLimits(parseJson(body)), signal);
      budget.configure(limits);
      logger.info({ limit: limits.limit, windowMs: limits.windowMs, cap: budget.cap }, 'Binance request-weight limits');
      return limits;
    },
    fetchKlines(query, signal) {
      const limit = query.limit ?? KLINES_MAX_LIMIT;
      const params = { symbol: query.symbol, interval: query.interval, startTime: query.startTime, endTime: query.endTime, limit };
      return call(
        '/api/v3/klines',
        params,
        KLINES_WEIGHT,
        (body) => scanKlinePage(body, { interval: query.interval, startTime: query.startTime, endTime: query.endTime }),
        signal,
      );
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

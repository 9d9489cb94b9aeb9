import { isKlineInterval, KLINE_INTERVALS } from '@streamforge/binance';

/** The workers queue-manager can start. */
export const KNOWN_TARGETS = ['loader-api-candles', 'loader-ws-candles', 'arango-candles', 'dummy-service'] as const;
export type KnownTarget = (typeof KNOWN_TARGETS)[number];

/** Names the original design documents used for the same workers. */
export const TARGET_ALIASES: Record<string, KnownTarget> = {
  'loader-producer': 'loader-api-candles',
  'arango-connector': 'arango-candles',
};

/** Workers that load candles: they need a Binance interval. */
const CANDLE_TARGETS: ReadonlySet<string> = new Set(['loader-api-candles', 'loader-ws-candles', 'arango-candles']);

/** What the simple start shape `{symbol, type, time_range}` starts for a candle type. */
export const DEFAULT_CANDLE_TARGETS: KnownTarget[] = ['loader-api-candles', 'arango-candles'];

/** What it starts for an open-ended (live) range: the history, the live stream, one sink for both. */
export const DEFAULT_LIVE_TARGETS: KnownTarget[] = ['loader-api-candles', 'loader-ws-candles', 'arango-candles'];

/** The worker that follows the market: it needs an open-ended range, and an open-ended range needs it. */
export const LIVE_TARGET: KnownTarget = 'loader-ws-candles';

/** Workers that publish to the data topic: in a live queue they are stopped before the sink (stop-supervisor). */
export const PRODUCER_TARGETS: ReadonlySet<string> = new Set(['loader-api-candles', 'loader-ws-candles']);

export function resolveTarget(name: string): KnownTarget | undefined {
  if ((KNOWN_TARGETS as readonly string[]).includes(name)) return name as KnownTarget;
  return TARGET_ALIASES[name];
}

export function knownTargetNames(): string[] {
  return [...KNOWN_TARGETS, ...Object.keys(TARGET_ALIASES).map((alias) => `${alias} (alias of ${TARGET_ALIASES[alias]})`)];
}

export function isCandleTarget(target: string): boolean {
  return CANDLE_TARGETS.has(target);
}

const CANDLE_TYPE = /^api_candles_(.+)$/;

/** The interval a type names (`api_candles_1m` → `1m`), if it is a candle type. */
export function intervalOfType(type: string): string | undefined {
  return CANDLE_TYPE.exec(type)?.[1];
}

export function isCandleType(type: string): boolean {
  const interval = intervalOfType(type);
  return interval !== undefined && isKlineInterval(interval);
}

export const INTERVAL_LIST = KLINE_INTERVALS.join(' ');

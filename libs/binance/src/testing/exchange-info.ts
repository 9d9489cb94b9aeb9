/** The parts of GET /api/v3/exchangeInfo a klines loader reads: rate limits and symbols. */

const QUOTE_ASSETS = ['USDT', 'FDUSD', 'USDC', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

export interface RateWindow {
  interval: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
  intervalNum: number;
}

/** Expresses a window length the way Binance does (interval unit + count); throws if it can't. */
export function rateWindow(windowMs: number): RateWindow {
  const units: Array<[RateWindow['interval'], number]> = [
    ['DAY', 86_400_000],
    ['HOUR', 3_600_000],
    ['MINUTE', 60_000],
    ['SECOND', 1_000],
  ];
  for (const [interval, ms] of units) {
    if (windowMs >= ms && windowMs % ms === 0) return { interval, intervalNum: windowMs / ms };
  }
  throw new RangeError(`weightWindowMs must be a positive whole number of seconds, got ${windowMs}`);
}

/** Suffix of the X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter) header, e.g. "1M" or "10S". */
export function weightHeaderSuffix(window: RateWindow): string {
  return `${window.intervalNum}${window.interval[0]}`;
}

/** Splits "ETHBTC" into ETH/BTC by known quote assets (good enough for simulated symbols). */
function splitSymbol(symbol: string): { baseAsset: string; quoteAsset: string } {
  for (const quote of QUOTE_ASSETS) {
    if (symbol.endsWith(quote) && symbol.length > quote.length) {
      return { baseAsset: symbol.slice(0, -quote.length), quoteAsset: quote };
    }
  }
  return { baseAsset: symbol.slice(0, -3), quoteAsset: symbol.slice(-3) };
}

/** exchangeInfo body; the REQUEST_WEIGHT entry is omitted when the simulator has no limit. */
export function exchangeInfoBody(
  symbols: readonly string[],
  weightLimit: number | null,
  window: RateWindow,
  serverTime: number,
): unknown {
  const rateLimits: unknown[] = [];
  if (weightLimit !== null) {
    rateLimits.push({ rateLimitType: 'REQUEST_WEIGHT', ...window, limit: weightLimit });
  }
  rateLimits.push(
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200_000 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000 },
  );
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits,
    exchangeFilters: [],
    symbols: symbols.map((symbol) => ({
      symbol,
      status: 'TRADING',
      ...splitSymbol(symbol),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
  };
}

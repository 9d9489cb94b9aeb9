/** Base of every error libs/binance raises: whether a retry can help, and the cause. */
export class BinanceError extends Error {
  override name = 'BinanceError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Binance answered 4xx with its `{code, msg}` body (e.g. -1121 Invalid symbol): retrying cannot help. */
export class BinanceApiError extends BinanceError {
  override name = 'BinanceApiError';
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly binanceMessage: string,
  ) {
    super(`Binance rejected ${endpoint}: HTTP ${status}${code === undefined ? '' : `, code ${code}`}: ${binanceMessage}`, false);
  }
}

/** HTTP 418: the IP is banned; hammering on would only extend the ban. */
export class BinanceBanError extends BinanceError {
  override name = 'BinanceBanError';
  constructor(
    readonly retryAfterSeconds: number,
    readonly bannedUntil: number,
    binanceMessage: string,
  ) {
    super(
      `Binance banned this IP for ${retryAfterSeconds} s (HTTP 418, until ${new Date(bannedUntil).toISOString()}); stopped at once: ${binanceMessage}`,
      false,
    );
  }
}

/** HTTP 429: a limit was broken; the caller must wait `retryAfterSeconds` before any request. */
export class BinanceRateLimitError extends BinanceError {
  override name = 'BinanceRateLimitError';
  constructor(
    readonly endpoint: string,
    readonly retryAfterSeconds: number,
    binanceMessage: string,
  ) {
    super(`Binance rate-limited ${endpoint} (HTTP 429, Retry-After ${retryAfterSeconds} s): ${binanceMessage}`, true);
  }
}

/** 5xx: outcome unknown on Binance's side, worth retrying. */
export class BinanceServerError extends BinanceError {
  override name = 'BinanceServerError';
  constructor(
    readonly endpoint: string,
    readonly status: number,
    detail: string,
  ) {
    super(`Binance failed ${endpoint}: HTTP ${status}: ${detail}`, true);
  }
}

/** Timeout, refused or reset connection, DNS failure: worth retrying. */
export class BinanceNetworkError extends BinanceError {
  override name = 'BinanceNetworkError';
  constructor(
    readonly endpoint: string,
    readonly reason: 'timeout' | 'network',
    cause: unknown,
  ) {
    super(`request to Binance ${endpoint} failed (${reason}): ${cause instanceof Error ? cause.message : String(cause)}`, true, { cause });
  }
}

/**
 * The answer is not what the API documents. An unparsable body (a cut-off transfer) is retriable;
 * valid JSON with a wrong row is not, since asking again returns the same rows.
 */
export class BinanceMalformedResponseError extends BinanceError {
  override name = 'BinanceMalformedResponseError';
  constructor(
    readonly endpoint: string,
    detail: string,
    retriable: boolean,
  ) {
    super(`malformed answer from Binance ${endpoint}: ${detail}`, retriable);
  }
}

/** A retriable failure that kept failing for every allowed attempt. */
export class BinanceRetriesExhaustedError extends BinanceError {
  override name = 'BinanceRetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastError: BinanceError,
  ) {
    super(`gave up after ${attempts} attempts: ${lastError.message}`, false, { cause: lastError });
  }
}

/** The caller aborted the request (a stop command); not a failure. */
export class BinanceAbortedError extends BinanceError {
  override name = 'BinanceAbortedError';
  constructor() {
    super('request aborted', false);
  }
}

/** Base of every error libs/indicators raises; none is retriable (the same input fails the same way). */
export class IndicatorError extends Error {
  override name = 'IndicatorError';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A candle applied at or before the open time of the last one: the series must be fed in `open_time` order. */
export class IndicatorOrderError extends IndicatorError {
  override name = 'IndicatorOrderError';
  constructor(
    readonly openTime: number,
    readonly lastOpenTime: number,
  ) {
    super(`candle open_time ${openTime} is not after the last applied open_time ${lastOpenTime}; apply candles in open_time order (recompute from the state before it instead)`);
  }
}

/** A candle whose numbers cannot enter the state (NaN or infinite would poison every later value). */
export class IndicatorInputError extends IndicatorError {
  override name = 'IndicatorInputError';
  constructor(
    readonly openTime: number,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`candle open_time ${openTime}: ${field} must be a finite number (got ${String(value)})`);
  }
}

/** A checkpointed state that does not belong to this indicator set (other indicators, other version, damaged). */
export class IndicatorStateError extends IndicatorError {
  override name = 'IndicatorStateError';
}

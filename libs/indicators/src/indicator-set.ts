import type { IndicatorSpec } from '@streamforge/schemas';
import { Atr, type AtrState } from './atr';
import { Ema, type EmaState } from './ema';
import { IndicatorInputError, IndicatorOrderError, IndicatorStateError } from './errors';
import type { IndicatorCandle, RunningIndicator } from './indicator';
import { parseIndicatorSetState, type IndicatorSetState } from './indicator-set-state';
import { Rsi, type RsiState } from './rsi';
import { VwapDaily, type VwapState } from './vwap';

/** Field name → value at one candle; null during an indicator's warm-up. */
export type IndicatorValues = Record<string, number | null>;

/**
 * A series being computed: push its candles in strictly increasing `open_time`; `snapshot()` at any
 * point is the plain-JSON "state after the last pushed candle" to checkpoint and resume from.
 */
export interface IndicatorStream {
  /** Candles pushed since the start of the series (not since this stream was resumed). */
  readonly count: number;
  readonly lastOpenTime: number | null;
  /**
   * Folds in the next candle and writes each field's value at it onto `target` (a fresh object by
   * default; pass the document being built to avoid a copy). Throws IndicatorOrderError or
   * IndicatorInputError before changing anything.
   */
  push<T extends object = IndicatorValues>(candle: IndicatorCandle, target?: T): T & IndicatorValues;
  snapshot(): IndicatorSetState;
}

/** A fixed list of indicators computed together, candle by candle, over plain-JSON state. */
export interface IndicatorSet {
  /** Document field names, in spec order (e.g. `['EMA_50', 'EMA_200', ...]`). */
  readonly fields: readonly string[];
  /** The state before the first candle of a series. */
  initialState(): IndicatorSetState;
  /** A stream continuing from a checkpoint (validated, see parseState), or from the series start. */
  resume(state?: unknown): IndicatorStream;
  /** Pure single step: values at `candle` and the state after it; `state` is left as it was. */
  apply(candle: IndicatorCandle, state: IndicatorSetState): { values: IndicatorValues; state: IndicatorSetState };
  /** `apply` over consecutive candles: each candle's values and the state after the last. */
  applyAll(candles: readonly IndicatorCandle[], state: IndicatorSetState): { values: IndicatorValues[]; state: IndicatorSetState };
  /** Checks a checkpointed state (e.g. read back from JSON) belongs to this set; throws IndicatorStateError. */
  parseState(json: unknown): IndicatorSetState;
}

function runningIndicator(spec: IndicatorSpec, state: unknown): RunningIndicator<unknown> {
  switch (spec.kind) {
    case 'EMA':
      return new Ema(spec.length, spec.field, state as EmaState | undefined);
    case 'RSI':
      return new Rsi(spec.length, spec.field, state as RsiState | undefined);
    case 'ATR':
      return new Atr(spec.length, spec.field, state as AtrState | undefined);
    case 'VWAP':
      return new VwapDaily(spec.field, state as VwapState | undefined);
  }
}

// Module-level copies of globals used per candle: under Jest (a vm context) every global lookup
// goes through the context's interceptor, several times slower; elsewhere it changes nothing.
const { isFinite, isSafeInteger } = Number;

function checkCandle(candle: IndicatorCandle, lastOpenTime: number | null): void {
  if (!isSafeInteger(candle.open_time)) throw new IndicatorInputError(candle.open_time, 'open_time', candle.open_time);
  if (lastOpenTime !== null && candle.open_time <= lastOpenTime) throw new IndicatorOrderError(candle.open_time, lastOpenTime);
  if (!isFinite(candle.high)) throw new IndicatorInputError(candle.open_time, 'high', candle.high);
  if (!isFinite(candle.low)) throw new IndicatorInputError(candle.open_time, 'low', candle.low);
  if (!isFinite(candle.close)) throw new IndicatorInputError(candle.open_time, 'close', candle.close);
  if (!isFinite(candle.volume)) throw new IndicatorInputError(candle.open_time, 'volume', candle.volume);
}

class Stream implements IndicatorStream {
  private readonly indicators: RunningIndicator<unknown>[];
  count: number;
  lastOpenTime: number | null;

  constructor(
    private readonly specs: readonly IndicatorSpec[],
    state: IndicatorSetState | undefined,
  ) {
    if (state && (state.fields.length !== specs.length || specs.some((spec, i) => spec.field !== state.fields[i]))) {
      // apply/applyAll take states unvalidated (speed): at least never continue another list's state.
      throw new IndicatorStateError(`indicator state is for ${state.fields.join(',') || '(none)'}, not ${specs.map((spec) => spec.field).join(',')}`);
    }
    this.indicators = specs.map((spec, i) => runningIndicator(spec, state?.indicators[i]));
    this.count = state?.count ?? 0;
    this.lastOpenTime = state?.lastOpenTime ?? null;
  }

  push<T extends object = IndicatorValues>(candle: IndicatorCandle, target?: T): T & IndicatorValues {
    checkCandle(candle, this.lastOpenTime);
    const values = (target ?? {}) as T & IndicatorValues;
    for (const indicator of this.indicators) (values as IndicatorValues)[indicator.field] = indicator.update(candle);
    this.count += 1;
    this.lastOpenTime = candle.open_time;
    return values;
  }

  snapshot(): IndicatorSetState {
    return {
      version: 1,
      fields: this.specs.map((spec) => spec.field),
      count: this.count,
      lastOpenTime: this.lastOpenTime,
      indicators: this.indicators.map((indicator) => indicator.snapshot()),
    };
  }
}

/** Builds the set for specs parsed by `indicatorListSchema` (libs/schemas), e.g. from `INDICATORS`. */
export function createIndicatorSet(specs: readonly IndicatorSpec[]): IndicatorSet {
  const fields = specs.map((spec) => spec.field);
  const parseState = (json: unknown): IndicatorSetState => parseIndicatorSetState(json, specs);
  return {
    fields,
    initialState: () => new Stream(specs, undefined).snapshot(),
    resume: (state) => new Stream(specs, state === undefined ? undefined : parseState(state)),
    apply(candle, state) {
      const stream = new Stream(specs, state);
      const values = stream.push(candle);
      return { values, state: stream.snapshot() };
    },
    applyAll(candles, state) {
      const stream = new Stream(specs, state);
      const values = candles.map((candle) => stream.push(candle));
      return { values, state: stream.snapshot() };
    },
    parseState,
  };
}

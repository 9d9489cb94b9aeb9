import { describeIssues, type IndicatorSpec } from '@streamforge/schemas';
import { z } from 'zod';
import { IndicatorStateError } from './errors';

/**
 * Everything an indicator set needs to continue a series: plain JSON (finite numbers, null,
 * booleans), a pure function of the candles applied so far. `count` = candles applied,
 * `lastOpenTime` = open time of the last one, `indicators[i]` = state of `fields[i]`.
 */
export interface IndicatorSetState {
  version: 1;
  fields: string[];
  count: number;
  lastOpenTime: number | null;
  indicators: unknown[];
}

const finite = z.number().refine(Number.isFinite, 'a finite number');
const count = z.number().int().nonnegative();

const STATE_SCHEMAS: Record<IndicatorSpec['kind'], z.ZodType> = {
  EMA: z.strictObject({ seen: count, sum: finite, ema: finite.nullable() }),
  RSI: z.strictObject({ seen: count, prevClose: finite.nullable(), gain: finite, loss: finite, ready: z.boolean() }),
  ATR: z.strictObject({ seen: count, prevClose: finite.nullable(), sum: finite, atr: finite.nullable() }),
  VWAP: z.strictObject({ day: z.number().int().nullable(), pv: finite, pvCompensation: finite, volume: finite, volumeCompensation: finite }),
};

const envelopeSchema = z.strictObject({
  version: z.literal(1),
  fields: z.array(z.string()),
  count,
  lastOpenTime: z.number().int().nullable(),
  indicators: z.array(z.unknown()),
});

/** Validates a checkpointed state against the specs it must belong to; throws IndicatorStateError. */
export function parseIndicatorSetState(json: unknown, specs: readonly IndicatorSpec[]): IndicatorSetState {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new IndicatorStateError(`indicator state is damaged: ${describeIssues(envelope.error, json)}`);
  const expected = specs.map((spec) => spec.field).join(',');
  const state = envelope.data;
  if (state.fields.join(',') !== expected || state.indicators.length !== specs.length) {
    throw new IndicatorStateError(`indicator state is for ${state.fields.join(',') || '(none)'}, not ${expected}: recompute from the first candle`);
  }
  specs.forEach((spec, i) => {
    const parsed = (STATE_SCHEMAS[spec.kind] as z.ZodType).safeParse(state.indicators[i]);
    if (!parsed.success) throw new IndicatorStateError(`indicator state of ${spec.field} is damaged: ${describeIssues(parsed.error, state.indicators[i])}`);
  });
  return state;
}

import { describeIssues, incomingCandleSchema, type Candle } from '@streamforge/schemas';
import { fastIncomingCandle } from './candle-fast-path';

/** Why a message was dead-lettered, as a metric label. */
export type RejectionKind = 'empty' | 'not_json' | 'invalid_candle';

export type DecodedCandle = { ok: true; candle: Candle } | { ok: false; kind: RejectionKind; reason: string };

/** Parses and validates one data-topic value: the candle, or the reason it is not one. */
export function decodeCandle(value: Buffer | null): DecodedCandle {
  if (value === null || value.length === 0) return { ok: false, kind: 'empty', reason: 'empty message (no value)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, kind: 'not_json', reason: `not JSON: ${(error as Error).message}` };
  }
  const candle = fastIncomingCandle(json);
  if (candle) return { ok: true, candle };
  const result = incomingCandleSchema.safeParse(json);
  if (result.success) return { ok: true, candle: result.data };
  return { ok: false, kind: 'invalid_candle', reason: `not a candle: ${describeIssues(result.error, json)}` };
}

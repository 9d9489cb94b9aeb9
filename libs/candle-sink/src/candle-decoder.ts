import { describeIssues, incomingCandleSchema, type Candle } from '@streamforge/schemas';
import { withDocumentJson } from '@streamforge/storage';
import { fastIncomingCandle, isPlainCandleJson } from './candle-fast-path';

/** Why a message was dead-lettered, as a metric label. */
export type RejectionKind = 'empty' | 'not_json' | 'invalid_candle';

export type DecodedCandle = { ok: true; candle: Candle } | { ok: false; kind: RejectionKind; reason: string };

/**
 * Adds fields to a decoded candle (the indicators) and returns them as the text of a JSON object
 * (`{"F":v,…}`) whose fields go at the end of the candle's own text, or undefined when it added none.
 */
export type CandleEnricher = (candle: Candle) => string | undefined;

/** The candle's JSON text with the fields of the JSON object text `added` appended. */
function withFields(text: string, added: string): string {
  return added.length <= 2 ? text : `${text.slice(0, -1)},${added.slice(1)}`;
}

/** Parses and validates one data-topic value: the candle, or the reason it is not one. */
export function decodeCandle(value: Buffer | null, enrich?: CandleEnricher): DecodedCandle {
  if (value === null || value.length === 0) return { ok: false, kind: 'empty', reason: 'empty message (no value)' };
  const text = value.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, kind: 'not_json', reason: `not JSON: ${(error as Error).message}` };
  }
  const candle = fastIncomingCandle(json);
  // The loader's plain form is stored as it came: serialising the candle again cost a sixth of the sink's CPU.
  if (candle) {
    if (!isPlainCandleJson(text)) {
      enrich?.(candle);
      return { ok: true, candle };
    }
    // Enriched before the text is attached (the attached text is final): the added fields go at its end.
    const added = enrich?.(candle);
    return { ok: true, candle: withDocumentJson(candle, added === undefined ? text : withFields(text, added)) };
  }
  const result = incomingCandleSchema.safeParse(json);
  if (result.success) {
    enrich?.(result.data);
    return { ok: true, candle: result.data };
  }
  return { ok: false, kind: 'invalid_candle', reason: `not a candle: ${describeIssues(result.error, json)}` };
}

import { z } from 'zod';

/** One technical indicator stored on every candle; `field` is its document field name (e.g. `EMA_50`). */
export type IndicatorSpec =
  | { kind: 'EMA' | 'RSI' | 'ATR'; length: number; field: string }
  | { kind: 'VWAP'; anchor: 'D'; field: 'VWAP_D' };

export const DEFAULT_INDICATORS = 'EMA_50,EMA_200,RSI_14,VWAP_D,ATR_30';

// TA-Lib's accepted periods (the reference): EMA and RSI 2..100000, ATR 1..100000.
const LENGTH_BOUNDS = { EMA: [2, 100_000], RSI: [2, 100_000], ATR: [1, 100_000] } as const;
const ENTRY = /^(EMA|RSI|ATR)_(\d+)$/;
export const INDICATOR_FORMS = 'EMA_<n> (n 2..100000), RSI_<n> (n 2..100000), ATR_<n> (n 1..100000) or VWAP_D';

/** The spec an entry names, or the reason it names none. */
export function parseIndicatorEntry(entry: string): IndicatorSpec | { error: string } {
  if (entry === 'VWAP_D') return { kind: 'VWAP', anchor: 'D', field: 'VWAP_D' };
  const match = ENTRY.exec(entry);
  if (!match) return { error: `"${entry}" is not an indicator; expected ${INDICATOR_FORMS}` };
  const kind = match[1] as keyof typeof LENGTH_BOUNDS;
  const length = Number(match[2]);
  const [min, max] = LENGTH_BOUNDS[kind];
  if (length < min || length > max || String(length) !== match[2]) {
    return { error: `"${entry}": ${kind} length must be an integer from ${min} to ${max} without leading zeros` };
  }
  return { kind, length, field: entry };
}

/** The specs a comma-separated list names, in order, and one message per bad entry. */
function readIndicatorList(text: string): { specs: IndicatorSpec[]; problems: string[] } {
  if (text.trim() === '') return { specs: [], problems: [`must list at least one indicator: ${INDICATOR_FORMS}, comma-separated`] };
  const specs: IndicatorSpec[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [position, entry] of text.split(',').map((part) => part.trim()).entries()) {
    const parsed = parseIndicatorEntry(entry);
    if ('error' in parsed) problems.push(`entry ${position + 1}: ${parsed.error}`);
    else if (seen.has(parsed.field)) problems.push(`entry ${position + 1}: "${entry}" is listed twice`);
    else {
      seen.add(parsed.field);
      specs.push(parsed);
    }
  }
  return { specs, problems };
}

const DESCRIPTION = `Indicators stored on every candle, comma-separated: ${INDICATOR_FORMS} (default ${DEFAULT_INDICATORS})`;

/**
 * The list as text, checked but kept as given: for HTTP bodies (`extra_params.indicators`, a 400
 * naming the bad entry) and anything that forwards the list to a worker's `INDICATORS`.
 */
export const indicatorListTextSchema = z
  .string()
  .superRefine((text, ctx) => {
    for (const message of readIndicatorList(text).problems) ctx.addIssue({ code: 'custom', message });
  })
  .describe(DESCRIPTION);

/**
 * `INDICATORS`: a comma-separated list such as `EMA_50,EMA_200,RSI_14,VWAP_D,ATR_30`, parsed to
 * specs in the given order. Blanks around entries are ignored; an empty list, an unknown entry or
 * a duplicate is an error naming the entry.
 */
export const indicatorListSchema = indicatorListTextSchema.transform((text) => readIndicatorList(text).specs).describe(DESCRIPTION);

/** True for the `INDICATORS` value that turns indicators off. */
export const isNoIndicators = (text: string): boolean => text.trim().toLowerCase() === 'none';

/**
 * What a caller may pass on to arango-candles' `INDICATORS` (e.g. `extra_params.indicators`): a
 * list as in indicatorListTextSchema, or `none` for candles without indicators. Kept as given.
 */
export const indicatorSettingTextSchema = z
  .string()
  .superRefine((text, ctx) => {
    if (isNoIndicators(text)) return;
    for (const message of readIndicatorList(text).problems) ctx.addIssue({ code: 'custom', message: `${message} (or "none")` });
  })
  .describe(`${DESCRIPTION}; "none" for none`);

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

/**
 * `INDICATORS` / `extra_params.indicators`: a comma-separated list such as
 * `EMA_50,EMA_200,RSI_14,VWAP_D,ATR_30`, parsed to specs in the given order. Blanks around entries
 * are ignored; an empty list, an unknown entry or a duplicate is an error naming the entry.
 */
export const indicatorListSchema = z
  .string()
  .transform((text, ctx): IndicatorSpec[] => {
    const entries = text.split(',').map((entry) => entry.trim());
    if (text.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `must list at least one indicator: ${INDICATOR_FORMS}, comma-separated` });
      return z.NEVER;
    }
    const specs: IndicatorSpec[] = [];
    const seen = new Set<string>();
    for (const [position, entry] of entries.entries()) {
      const parsed = parseIndicatorEntry(entry);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: `entry ${position + 1}: ${parsed.error}` });
      } else if (seen.has(parsed.field)) {
        ctx.addIssue({ code: 'custom', message: `entry ${position + 1}: "${entry}" is listed twice` });
      } else {
        seen.add(parsed.field);
        specs.push(parsed);
      }
    }
    return specs;
  })
  .describe(`Indicators stored on every candle, comma-separated: ${INDICATOR_FORMS} (default ${DEFAULT_INDICATORS})`);

import { z } from 'zod';

/**
 * The OpenAPI extension keyword that names what the server checks beyond a field's JSON Schema
 * (a known name, a real calendar date, start before end...): a 400 for a schema-valid request
 * names such a field. The contract test holds the server to it.
 */
export const SERVER_RULES_KEYWORD = 'x-server-rules';

/** `schema`, documented with the checks the server makes beyond what its JSON Schema states. */
export function withServerRules<S extends z.ZodType>(schema: S, rules: string): S {
  return schema.meta({ [SERVER_RULES_KEYWORD]: rules }) as S;
}

/**
 * A string the server trims before use. The pattern is checked on the value as sent, so the
 * document's `pattern` and `maxLength` state exactly what is accepted (surrounding whitespace included).
 * The document admits the padding rather than the server refusing it: padded values were always
 * accepted (a pasted " BTCUSDT" from the dashboard or curl), and no client is wrong for sending one.
 */
export function trimmedText(options: { maxLength: number; core: RegExp | string; message: string }) {
  const core = typeof options.core === 'string' ? options.core : options.core.source;
  return z
    .string()
    .max(options.maxLength, `at most ${options.maxLength} characters`)
    .regex(new RegExp(`^\\s*(?:${core})\\s*$`), options.message)
    .trim();
}

/** A name the server trims and needs non-blank: `\S` (JSON Schema patterns are unanchored) says so in the document. */
export function nonBlankText(maxLength: number) {
  return z.string().max(maxLength, `at most ${maxLength} characters`).regex(/\S/, 'must not be blank').trim();
}

/**
 * A whole number in a query string, documented as `integer` with its bounds: decimal digits are
 * read as a number (anything else stays a string and is refused as one).
 */
export function queryInteger(min: number, max: number) {
  const message = `a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value),
    z.int({ error: message }).min(min, message).max(max, message),
  );
}

import type { z } from 'zod';
import { describeIssues } from '@streamforge/schemas';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** JSON-decodes and validates a Kafka value, returning the reason instead of throwing. */
export function parseMessage<S extends z.ZodType>(schema: S, value: Buffer | null): Parsed<z.infer<S>> {
  if (value === null) return { ok: false, reason: 'empty message (null value)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: describeIssues(result.error, json) };
}

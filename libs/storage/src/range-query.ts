import { InvalidQueryError } from './errors';
import type { RangeQuery } from './document-store';

/** A range query with every bound filled in, as both adapters run it. */
export interface NormalizedRangeQuery {
  field: string;
  from: number;
  to: number;
  /** undefined = no limit. */
  limit?: number;
  offset: number;
}

/** Top-level attribute names only: they end up in SQL JSON paths and index names. */
const FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Range fields indexed when a collection is created (candles are the big collections). */
export const DEFAULT_RANGE_FIELDS: readonly string[] = ['open_time'];

export function validateRangeField(collection: string, field: string): void {
  if (typeof field !== 'string' || !FIELD_PATTERN.test(field)) {
    throw new InvalidQueryError(collection, `range field ${JSON.stringify(field)} must be a top-level attribute name (letter, then letters, digits, "_")`);
  }
}

/** Open bounds become ±Number.MAX_VALUE, which also keeps non-numeric values (strings, null) out. */
export function normalizeRangeQuery(collection: string, query: RangeQuery): NormalizedRangeQuery {
  validateRangeField(collection, query.field);
  const from = query.from ?? -Number.MAX_VALUE;
  const to = query.to ?? Number.MAX_VALUE;
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new InvalidQueryError(collection, `${name} must be a number (got ${JSON.stringify(value)})`);
  }
  for (const [name, value] of [['limit', query.limit], ['offset', query.offset]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidQueryError(collection, `${name} must be a non-negative integer (got ${JSON.stringify(value)})`);
    }
  }
  return { field: query.field, from, to, limit: query.limit, offset: query.offset ?? 0 };
}

import type { PageQuery } from './document-store';
import { InvalidQueryError } from './errors';
import { validateRangeField } from './range-query';

export const MAX_PAGE_LIMIT = 10_000;

/** A page query checked once for every adapter: attribute names, limit, cursor and filter values. */
export function normalizePageQuery(collection: string, query: PageQuery): Required<Omit<PageQuery, 'after'>> & Pick<PageQuery, 'after'> {
  validateRangeField(collection, query.orderBy);
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_LIMIT) {
    throw new InvalidQueryError(collection, `limit must be an integer from 1 to ${MAX_PAGE_LIMIT} (got ${JSON.stringify(query.limit)})`);
  }
  const where = query.where ?? {};
  for (const [field, values] of Object.entries(where)) {
    validateRangeField(collection, field);
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw new InvalidQueryError(collection, `where.${field} must be a non-empty list of strings (got ${JSON.stringify(values)})`);
    }
  }
  if (query.after && (typeof query.after.value !== 'number' || Number.isNaN(query.after.value) || typeof query.after.key !== 'string')) {
    throw new InvalidQueryError(collection, `after must be {value: number, key: string} (got ${JSON.stringify(query.after)})`);
  }
  return { orderBy: query.orderBy, descending: query.descending ?? false, where, after: query.after, limit: query.limit };
}

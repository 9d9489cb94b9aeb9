import { CANDLE_PAGE_DEFAULT_LIMIT, type CandlePage, type CandlesQuery, type StoredCandle, storedCandleSchema } from '@streamforge/schemas';
import type { DocumentStore } from '@streamforge/storage';
import { RequestValidationError } from './request-validation';

/** The collection named in `GET /candles` does not exist: 404. */
export class UnknownCollectionError extends Error {
  override name = 'UnknownCollectionError';
  readonly statusCode = 404;
  readonly retriable = false;
  constructor(readonly collection: string) {
    super(`no candle collection ${collection} of a known queue; candle collections are named <symbol>_<type>_<yyyy>_<mm>_<dd> (see a queue's targets[].collection_name)`);
  }
}

export type CandleReader = Pick<DocumentStore, 'collectionExists' | 'findRange'>;

/** True when `collection` is a target's collection_name of a known queue: nothing else is read. */
export type KnownCollectionCheck = (collection: string) => Promise<boolean>;

/**
 * One page of a collection's candles by open time, through the storage port. Paging is keyed on
 * open_time (unique per collection): `next_from` is the first open time of the next page, so a
 * page never skips or repeats a candle even while the sink is still writing.
 */
export async function readCandlePage(store: CandleReader, isKnown: KnownCollectionCheck, query: CandlesQuery): Promise<CandlePage> {
  // Only collections of known queues: a range read would otherwise touch (and index) any collection, queue_state included.
  if (!(await isKnown(query.collection)) || !(await store.collectionExists(query.collection))) throw new UnknownCollectionError(query.collection);
  const limit = query.limit ?? CANDLE_PAGE_DEFAULT_LIMIT;
  // One extra document tells whether another page follows without a count query.
  const documents = await store.findRange(query.collection, { field: 'open_time', from: query.from, to: query.to, limit: limit + 1 });
  const candles: StoredCandle[] = [];
  for (const document of documents.slice(0, limit)) {
    const parsed = storedCandleSchema.safeParse(document);
    if (!parsed.success) {
      throw new RequestValidationError('query string', [
        { path: 'collection', message: `${query.collection} does not hold candles (document ${document._key} has no numeric open_time, open, high, low, close and volume)` },
      ]);
    }
    candles.push(parsed.data);
  }
  return {
    collection: query.collection,
    from: query.from ?? null,
    to: query.to ?? null,
    limit,
    candles,
    next_from: documents.length > limit ? (documents[limit].open_time as number) : null,
  };
}

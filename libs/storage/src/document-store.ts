/** A stored document: `_key` is the identity every write is idempotent by. */
export interface StoredDocument {
  _key: string;
  [field: string]: unknown;
}

export interface RangeQuery {
  /** Numeric field to filter and order by (e.g. `open_time`). */
  field: string;
  /** Inclusive bounds; omit for open-ended. */
  from?: number;
  to?: number;
  limit?: number;
  /** Documents to skip (paging). */
  offset?: number;
}

/**
 * The storage port: ArangoDB in production, embedded SQLite locally. Candles and queue state
 * both go through it, so every adapter must pass the same contract suite.
 */
export interface DocumentStore {
  /** Which adapter this is, for logs and `/health/ready` (`arango` | `sqlite`). */
  readonly kind: string;
  /** Where the data lives, for humans (URL + database, or file path). */
  readonly location: string;
  /** Creates the collection when missing; a no-op when it exists. */
  ensureCollection(collection: string): Promise<void>;
  /** Writes the batch by `_key`, replacing existing documents, all or nothing. */
  upsertBatch(collection: string, documents: StoredDocument[]): Promise<void>;
  count(collection: string): Promise<number>;
  get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined>;
  /** Documents ordered by `query.field` ascending within the inclusive bounds. */
  findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]>;
  /** Every document of a (small) collection, e.g. queue_state. */
  all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]>;
  collectionExists(collection: string): Promise<boolean>;
  /** Throws when the store cannot be reached (readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

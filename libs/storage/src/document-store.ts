/** A stored document: `_key` is the identity every write is idempotent by. */
export interface StoredDocument {
  _key: string;
  [field: string]: unknown;
}

/**
 * Where a document may carry its JSON text when the caller has it already (say, the bytes it was
 * read from): the SQLite adapter stores that text instead of serialising the object again, other
 * adapters ignore it. Set it with withDocumentJson, which keeps it out of spreads and equality.
 */
export const DOCUMENT_JSON: unique symbol = Symbol('streamforge.documentJson');

/**
 * Attaches `json` to `document` (see DOCUMENT_JSON). The caller guarantees that JSON.parse(json)
 * has exactly the document's fields with the same values (no other or repeated keys) and does not
 * change the document afterwards.
 */
export function withDocumentJson<T extends StoredDocument>(document: T, json: string): T {
  Object.defineProperty(document, DOCUMENT_JSON, { value: json, enumerable: false });
  return document;
}

/** The document's JSON text: the attached one, else JSON.stringify. */
export function documentJson(document: StoredDocument): string {
  return (document as { [DOCUMENT_JSON]?: string })[DOCUMENT_JSON] ?? JSON.stringify(document);
}

/**
 * Where a document carries its version for order-safe writes (set it with withDocumentVersion):
 * a non-negative integer that grows with each newer content of a `_key`. A versioned write
 * replaces the stored document only when its version is higher than the stored one's; an equal
 * or lower one is skipped without error (so a delayed or repeated request can never bring back
 * an older value). Unversioned writes, and writes over unversioned documents, always replace.
 * Reads attach the stored version the same way (documentVersion). Non-enumerable, like DOCUMENT_JSON.
 */
export const DOCUMENT_VERSION: unique symbol = Symbol('streamforge.documentVersion');

/**
 * The attribute ArangoDB keeps a document's version in (its `versionAttribute`); SQLite keeps it in
 * a column. Documents must not carry it themselves; reads move it back into DOCUMENT_VERSION.
 */
export const VERSION_ATTRIBUTE = 'sf_version';

/** Attaches `version` to `document` (see DOCUMENT_VERSION) and returns the document. */
export function withDocumentVersion<T extends StoredDocument>(document: T, version: number): T {
  Object.defineProperty(document, DOCUMENT_VERSION, { value: version, enumerable: false, configurable: true });
  return document;
}

/** The version attached to a document (written or read), or undefined. */
export function documentVersion(document: StoredDocument): number | undefined {
  return (document as { [DOCUMENT_VERSION]?: number })[DOCUMENT_VERSION];
}

/** Options of ensureCollection. */
export interface CollectionOptions {
  /**
   * Numeric fields findRange will query; each gets an index here, where collections are created
   * (in the background on ArangoDB). Defaults to DEFAULT_RANGE_FIELDS (`open_time`). Reads never
   * create indexes: findRange on a field not listed here works but scans the collection.
   */
  rangeFields?: readonly string[];
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

/** A page of documents in the order of a numeric field, then `_key` (keyset paging: no offset). */
export interface PageQuery {
  /** Numeric top-level field to order by (e.g. `created_at`); documents without a number there are left out. */
  orderBy: string;
  /** Largest first (both the field and the `_key` tie-break). */
  descending?: boolean;
  /** Only documents whose top-level field equals one of the given strings. */
  where?: Record<string, readonly string[]>;
  /** Only documents strictly after this position in the order: the last document of the previous page. */
  after?: { value: number; key: string };
  /** 1 to 10,000. */
  limit: number;
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
  /** Creates the collection (and its range indexes) when missing; a no-op when it exists. */
  ensureCollection(collection: string, options?: CollectionOptions): Promise<void>;
  /**
   * Writes the batch by `_key`, replacing existing documents (no merge). Either it resolves and
   * every document is stored, or it throws; after a throw the caller retries the whole batch,
   * which is safe because writes are idempotent by `_key`. Invalid documents are refused before
   * anything is written; the last of repeated `_key`s in one batch wins. Documents with a version
   * (withDocumentVersion) only replace older versions, so retries cannot be overtaken. Resolving
   * means durable: on disk (ArangoDB `waitForSync`), not only acknowledged.
   */
  upsertBatch(collection: string, documents: StoredDocument[]): Promise<void>;
  /**
   * Sets the given top-level fields (every field of each item but `_key`) on the stored document of
   * the same `_key`, keeping its other fields and its version; a `null` value is stored as null, and
   * a `_key` not stored is skipped. One request per batch (as upsertBatch), durable when it
   * resolves, safe to retry. For derived fields such as a candle's indicators, which must not bump
   * the candle's version (a later candle write would then be refused).
   */
  updateFields(collection: string, updates: StoredDocument[]): Promise<void>;
  count(collection: string): Promise<number>;
  /** The document as written (no `_id`/`_rev`, version attached), or undefined; an invalid key is an InvalidQueryError. */
  get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined>;
  /**
   * Documents whose `query.field` is a number within the inclusive bounds, ordered by that field
   * then `_key` (so paging with limit/offset is stable).
   */
  findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]>;
  /** One page of documents (see PageQuery); the next page starts after the last one returned. */
  findPage<T extends StoredDocument = StoredDocument>(collection: string, query: PageQuery): Promise<T[]>;
  /** Deletes the documents with these keys; keys that do not exist are ignored. */
  remove(collection: string, keys: readonly string[]): Promise<void>;
  /** Every document of a (small) collection, ordered by `_key`. */
  all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]>;
  collectionExists(collection: string): Promise<boolean>;
  /** Throws when the store cannot be reached (readiness probes). */
  ping(): Promise<void>;
  /** Releases connections/files; safe to call twice. */
  close(): Promise<void>;
}

/** What a storage error is about, so logs and the caller can say which write failed. */
export interface StorageErrorContext {
  collection?: string;
  /** Keys of the documents concerned (trimmed to a few in messages). */
  keys?: string[];
  /** HTTP status of the store's answer, when it gave one. */
  status?: number;
  /** ArangoDB errorNum(s) reported by the server. */
  errorNums?: number[];
}

/** Base of every error libs/storage raises: whether a retry can help, the cause, and the context. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly context: StorageErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A collection name the stores refuse (ArangoDB naming rules); fix the configuration. */
export class InvalidCollectionNameError extends StorageError {
  override name = 'InvalidCollectionNameError';
  constructor(collection: string, reason: string) {
    super(reason, false, { collection });
  }
}

/** A batch holds a document no store would accept (bad `_key`, not an object): nothing of it was written. */
export class InvalidDocumentError extends StorageError {
  override name = 'InvalidDocumentError';
  constructor(collection: string, keys: string[], reason: string) {
    super(`refusing batch for collection "${collection}": ${reason}; nothing of the batch was written`, false, { collection, keys });
  }
}

/** A range query the stores cannot run (bad field name, negative limit). */
export class InvalidQueryError extends StorageError {
  override name = 'InvalidQueryError';
  constructor(collection: string, reason: string) {
    super(`invalid query on collection "${collection}": ${reason}`, false, { collection });
  }
}

/** The collection does not exist: call ensureCollection first. */
export class CollectionNotFoundError extends StorageError {
  override name = 'CollectionNotFoundError';
  constructor(collection: string, location: string, options?: { cause?: unknown }) {
    super(`collection "${collection}" does not exist in ${location} (call ensureCollection first)`, false, { collection }, options);
  }
}

/** The store could not be reached or asked us to come back later (503, 429, timeout, connection reset). */
export class StoreUnavailableError extends StorageError {
  override name = 'StoreUnavailableError';
  constructor(message: string, context: StorageErrorContext = {}, options?: { cause?: unknown }) {
    super(message, true, context, options);
  }
}

/**
 * The store answered a bulk write with per-document failures. Some documents of the batch may
 * have been written: the caller retries the whole batch, which is safe because writes are
 * idempotent by `_key`.
 */
export class DocumentWriteError extends StorageError {
  override name = 'DocumentWriteError';
  constructor(message: string, retriable: boolean, context: StorageErrorContext, options?: { cause?: unknown }) {
    super(message, retriable, context, options);
  }
}

/** Any other answer from the store we did not expect (bad credentials, server bug); not retried. */
export class StoreRequestError extends StorageError {
  override name = 'StoreRequestError';
}

/** `a, b, c (+7 more)`: keeps messages one readable line however big the batch. */
export function summarizeKeys(keys: readonly string[], shown = 5): string {
  const head = keys.slice(0, shown).map((k) => JSON.stringify(k)).join(', ');
  return keys.length > shown ? `${head} (+${keys.length - shown} more)` : head;
}

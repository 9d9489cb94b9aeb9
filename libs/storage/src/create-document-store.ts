import { readFileSync } from 'node:fs';
import { createArangoDocumentStore, type ArangoStoreDeps } from './arango-document-store';
import type { DocumentStore } from './document-store';
import { StorageError } from './errors';
import type { RetryPolicy } from './retry-policy';
import { createSqliteDocumentStore } from './sqlite-document-store';
import { selectedStore, type StoreSettings } from './store-settings';

export interface DocumentStoreOptions {
  /** SQLite only: upsert on a worker thread (see SqliteStoreConfig.writeThread); for write-heavy apps. */
  sqliteWriteThread?: boolean;
  /**
   * ArangoDB only: the adapter's own retry of transient failures (default DEFAULT_RETRY_POLICY, sized
   * to outlast a failover). A caller that retries itself with its own deadline (the candle sink,
   * STORE_RETRY_TIMEOUT_S) passes `{ attempts: 1 }`, so retries are not nested.
   */
  arangoRetry?: Partial<RetryPolicy>;
}

/** Opens the store the settings select (see storeSettings); neither adapter connects before its first call. */
export function createDocumentStore(settings: StoreSettings, deps: ArangoStoreDeps = {}, options: DocumentStoreOptions = {}): DocumentStore {
  if (selectedStore(settings) === 'sqlite') return createSqliteDocumentStore({ path: settings.SQLITE_PATH, writeThread: options.sqliteWriteThread });
  if (!settings.ARANGO_URL) throw new StorageError('STORE=arango needs ARANGO_URL (e.g. http://arangodb:8529)', false);
  return createArangoDocumentStore(
    {
      url: settings.ARANGO_URL,
      database: settings.ARANGO_DB,
      username: settings.ARANGO_USER,
      password: settings.ARANGO_PASSWORD,
      token: settings.ARANGO_TOKEN,
      ca: settings.ARANGO_CA_PATH ? readCertificateAuthority(settings.ARANGO_CA_PATH) : undefined,
      requestTimeoutMs: settings.ARANGO_REQUEST_TIMEOUT_MS,
      queryTimeoutMs: settings.ARANGO_QUERY_TIMEOUT_MS,
      maxQueueTimeSeconds: settings.ARANGO_MAX_QUEUE_TIME_S,
      retry: options.arangoRetry,
    },
    deps,
  );
}

/** Read once at start, so a missing or unreadable file fails there, naming it. */
function readCertificateAuthority(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StorageError(`ARANGO_CA_PATH ${path} cannot be read: ${(error as Error).message}`, false, {}, { cause: error });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new StorageError(`ARANGO_CA_PATH ${path} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`, false);
  return text;
}

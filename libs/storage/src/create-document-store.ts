import { createArangoDocumentStore, type ArangoStoreDeps } from './arango-document-store';
import type { DocumentStore } from './document-store';
import { StorageError } from './errors';
import { createSqliteDocumentStore } from './sqlite-document-store';
import { selectedStore, type StoreSettings } from './store-settings';

export interface DocumentStoreOptions {
  /** SQLite only: upsert on a worker thread (see SqliteStoreConfig.writeThread); for write-heavy apps. */
  sqliteWriteThread?: boolean;
}

/** Opens the store the settings select (see storeSettings); neither adapter connects before its first call. */
export function createDocumentStore(settings: StoreSettings, deps: ArangoStoreDeps = {}, options: DocumentStoreOptions = {}): DocumentStore {
  if (selectedStore(settings) === 'sqlite') return createSqliteDocumentStore({ path: settings.SQLITE_PATH, writeThread: options.sqliteWriteThread });
  if (!settings.ARANGO_URL) throw new StorageError('STORE=arango needs ARANGO_URL (e.g. http://arangodb:8529)', false);
  return createArangoDocumentStore(
    { url: settings.ARANGO_URL, database: settings.ARANGO_DB, username: settings.ARANGO_USER, password: settings.ARANGO_PASSWORD },
    deps,
  );
}

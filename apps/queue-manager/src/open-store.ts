import { createSqliteDocumentStore, type DocumentStore } from '@streamforge/storage';
import type { QueueManagerConfig } from './queue-manager-config';

/** The queue-state store the configuration names (the same rules as the sink: STORE, ARANGO_URL, SQLITE_PATH). */
export function openStore(config: QueueManagerConfig): DocumentStore {
  const kind = config.STORE ?? (config.ARANGO_URL ? 'arango' : 'sqlite');
  if (kind === 'arango') throw new Error('STORE=arango: the ArangoDB adapter is not in this build yet; use STORE=sqlite');
  return createSqliteDocumentStore({ path: config.SQLITE_PATH });
}

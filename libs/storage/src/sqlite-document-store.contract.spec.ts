import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteDocumentStore } from './sqlite-document-store';
import { describeDocumentStoreContract } from './testing/document-store.contract';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeDocumentStoreContract('sqlite', {
  open: () => createSqliteDocumentStore({ path: join(dir, 'nested', 'contract.db') }),
  openUnreachable: () => {
    // A regular file where the database directory should be: the file can never be opened.
    writeFileSync(join(dir, 'not-a-dir'), '');
    return createSqliteDocumentStore({ path: join(dir, 'not-a-dir', 'store.db') });
  },
});

describeDocumentStoreContract('sqlite, upserts on a write thread', {
  open: () => createSqliteDocumentStore({ path: join(dir, 'thread', 'contract.db'), writeThread: true }),
  openUnreachable: () => createSqliteDocumentStore({ path: join(dir, 'not-a-dir', 'thread.db'), writeThread: true }),
});

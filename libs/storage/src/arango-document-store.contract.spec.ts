import { Database } from 'arangojs';
import { isArangoError } from 'arangojs/errors';
import { createArangoDocumentStore } from './arango-document-store';
import { startArangoStandIn, type ArangoStandIn } from './testing/arango-stand-in';
import { describeDocumentStoreContract } from './testing/document-store.contract';

/** Nothing listens on port 1: connection refused at once. */
const UNREACHABLE_URL = 'http://127.0.0.1:1';
const fastRetry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 };

describe('ArangoDocumentStore against the stand-in', () => {
  let standIn: ArangoStandIn;
  beforeAll(async () => {
    standIn = await startArangoStandIn();
  });
  afterAll(async () => {
    standIn.assertNoViolations();
    await standIn.close();
  });

  describeDocumentStoreContract('arango (stand-in)', {
    open: () => createArangoDocumentStore({ url: standIn.url, database: 'contract', username: standIn.username, password: standIn.password }),
    openUnreachable: () => createArangoDocumentStore({ url: UNREACHABLE_URL, database: 'contract', username: 'root', retry: fastRetry }),
  });
});

const realUrl = process.env.ARANGO_URL;
if (realUrl) {
  const database = process.env.ARANGO_DB ?? 'streamforge_contract';
  const username = process.env.ARANGO_USER ?? 'root';
  const password = process.env.ARANGO_PASSWORD ?? '';
  describeDocumentStoreContract(`arango (real server ${realUrl})`, {
    open: () => createArangoDocumentStore({ url: realUrl, database, username, password }),
    openUnreachable: () => createArangoDocumentStore({ url: UNREACHABLE_URL, database: 'contract', username: 'root', retry: fastRetry }),
    dropCollections: async (collections) => {
      const db = new Database({ url: realUrl, databaseName: database, auth: { username, password } });
      for (const name of collections) {
        // Some names were only used to check that missing collections are reported.
        await db.collection(name).drop().catch((error: unknown) => {
          if (!(isArangoError(error) && error.errorNum === 1203)) throw error;
        });
      }
      db.close();
    },
  });
} else {
  const reason = 'SKIPPED ArangoDB contract run: ARANGO_URL is not set';
  process.stderr.write(`${reason}\n`);
  describe('DocumentStore contract: arango (real server)', () => {
    it.skip(reason, () => undefined);
  });
}

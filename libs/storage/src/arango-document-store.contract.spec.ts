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
  describeDocumentStoreContract(`arango (real server ${realUrl})`, {
    open: () =>
      createArangoDocumentStore({
        url: realUrl,
        database: process.env.ARANGO_DB ?? 'streamforge_contract',
        username: process.env.ARANGO_USER ?? 'root',
        password: process.env.ARANGO_PASSWORD ?? '',
      }),
    openUnreachable: () => createArangoDocumentStore({ url: UNREACHABLE_URL, database: 'contract', username: 'root', retry: fastRetry }),
  });
} else {
  const reason = 'SKIPPED ArangoDB contract run: ARANGO_URL is not set';
  process.stderr.write(`${reason}\n`);
  describe('DocumentStore contract: arango (real server)', () => {
    it.skip(reason, () => undefined);
  });
}

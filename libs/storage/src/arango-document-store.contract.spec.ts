import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  const ca = process.env.ARANGO_CA_PATH ? readFileSync(process.env.ARANGO_CA_PATH, 'utf8') : undefined;
  if (!realUrl.startsWith('https:')) process.stderr.write(`SKIPPED TLS against the real server: ${realUrl} is http (set an https ARANGO_URL and ARANGO_CA_PATH to include it)\n`);
  const admin = () => new Database({ url: realUrl, databaseName: '_system', auth: { username, password }, ...(ca ? { agentOptions: { connect: { ca } } } : {}) });
  const dropCollections = async (collections: string[]) => {
    const system = admin();
    const db = system.database(database);
    for (const name of collections) {
      // Some names were only used to check that missing collections are reported.
      await db.collection(name).drop().catch((error: unknown) => {
        if (!(isArangoError(error) && error.errorNum === 1203)) throw error;
      });
    }
    system.close();
  };
  describeDocumentStoreContract(`arango (real server ${realUrl}, user ${username})`, {
    open: () => createArangoDocumentStore({ url: realUrl, database, username, password, ca }),
    openUnreachable: () => createArangoDocumentStore({ url: UNREACHABLE_URL, database: 'contract', username: 'root', retry: fastRetry }),
    dropCollections,
  });

  // The production shape: a dedicated user with Administrate on its database only (created here by the admin above).
  describe('a dedicated non-root user on the real server', () => {
    const dedicated = `streamforge_ci_${process.pid}`;
    const dedicatedPassword = `pw-${randomUUID()}`;
    beforeAll(async () => {
      const db = admin();
      await db.createDatabase(database).catch((error: unknown) => {
        if (!(isArangoError(error) && error.errorNum === 1207)) throw error;
      });
      await db.createUser(dedicated, { passwd: dedicatedPassword });
      await db.setUserAccessLevel(dedicated, { database }, 'rw');
      await db.setUserAccessLevel(dedicated, { database, collection: '*' }, 'rw');
      db.close();
    });
    afterAll(async () => {
      const db = admin();
      await db.removeUser(dedicated);
      db.close();
    });
    describeDocumentStoreContract(`arango (real server ${realUrl}, non-root user)`, {
      open: () => createArangoDocumentStore({ url: realUrl, database, username: dedicated, password: dedicatedPassword, ca }),
      openUnreachable: () => createArangoDocumentStore({ url: UNREACHABLE_URL, database: 'contract', username: 'root', retry: fastRetry }),
      dropCollections,
    });
  });
} else {
  const reason = 'SKIPPED ArangoDB contract run: ARANGO_URL is not set';
  process.stderr.write(`${reason}\n`);
  describe('DocumentStore contract: arango (real server)', () => {
    it.skip(reason, () => undefined);
  });
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArangoDocumentStore, type ArangoStoreConfig } from './arango-document-store';
import { candleDocuments } from './bench/candle-documents';
import { StoreRequestError } from './errors';
import { startArangoStandIn, type ArangoStandIn, type ArangoStandInOptions } from './testing/arango-stand-in';

/** Items 3–7 of "ArangoDB right at first contact": least-privilege users, readers that only read, TLS, deadlines. */
describe('ArangoDB access, TLS and deadlines (against the stand-in)', () => {
  let standIn: ArangoStandIn;
  const stores: { close(): Promise<void> }[] = [];
  const start = async (options: ArangoStandInOptions = {}) => {
    standIn = await startArangoStandIn(options);
  };
  const open = (overrides: Partial<ArangoStoreConfig> = {}) => {
    const store = createArangoDocumentStore(
      { url: standIn.url, database: 'streamforge', username: standIn.username, password: standIn.password, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, ...overrides },
      { sleep: async () => undefined },
    );
    stores.push(store);
    return store;
  };
  const count = (operation: string) => standIn.requests.filter((r) => r.operation === operation).length;

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await standIn.settled();
    standIn.assertNoViolations();
    await standIn.close();
  });

  it('lets a read-only user read ranges: findRange never creates an index', async () => {
    await start({ users: { reader: { password: 'r', databases: { streamforge: 'ro' } } } });
    await open().ensureCollection('candles');
    await open().upsertBatch('candles', candleDocuments(3));
    const indexRequests = count('createIndex');
    const reader = open({ username: 'reader', password: 'r' });
    expect(await reader.findRange('candles', { field: 'open_time', limit: 2 })).toHaveLength(2);
    expect(await reader.findRange('candles', { field: 'volume_unindexed' })).toEqual([]);
    expect(count('createIndex')).toBe(indexRequests);
    // Schema changes need Administrate: a clear, non-retried 403/11 naming the user and database.
    const refused = reader.ensureCollection('more_candles');
    await expect(refused).rejects.toThrow(StoreRequestError);
    await expect(refused).rejects.toThrow(/forbade creating collection "more_candles" \(HTTP 403 errorNum 11: forbidden\): user "reader" lacks the rights for it on database "streamforge"/);
    expect(standIn.requests.filter((r) => r.user === 'reader' && r.operation === 'createCollection')).toHaveLength(1);
  });

  it('lets a read-only user page (no index created, the page in one batch, with a deadline) but not remove (403/11, not retried)', async () => {
    await start({ users: { reader: { password: 'r', databases: { streamforge: 'ro' } } } });
    const admin = open();
    await admin.ensureCollection('queue_state', { rangeFields: ['created_at'] });
    await admin.upsertBatch('queue_state', [1, 2, 3].map((n) => ({ _key: `q${n}`, created_at: n, status: 'finished' })));
    const indexRequests = count('createIndex');
    const reader = open({ username: 'reader', password: 'r' });
    expect((await reader.findPage('queue_state', { orderBy: 'created_at', descending: true, limit: 2 })).map((d) => d._key)).toEqual(['q3', 'q2']);
    expect(count('createIndex')).toBe(indexRequests);
    expect(standIn.requests.filter((r) => r.operation === 'query').at(-1)?.body).toMatchObject({ batchSize: 2, options: { maxRuntime: 30 } });
    await expect(reader.remove('queue_state', ['q1'])).rejects.toThrow(/forbade removing 1 documents from "queue_state" \(HTTP 403 errorNum 11: forbidden\): user "reader"/);
    expect(standIn.requests.filter((r) => r.user === 'reader' && r.operation === 'query').map((r) => r.outcome)).toEqual([201, 403]);
    await admin.remove('queue_state', ['q1']);
    expect(standIn.documents('streamforge', 'queue_state')?.map((d) => d._key)).toEqual(['q2', 'q3']);
  });

  it('refuses index creation by a non-admin with 403/11, once, saying what to grant', async () => {
    await start({ users: { writer: { password: 'w', databases: { streamforge: 'ro' } } } });
    await open().ensureCollection('candles', { rangeFields: [] });
    const failure = open({ username: 'writer', password: 'w' }).ensureCollection('candles');
    await expect(failure).rejects.toThrow(/forbade creating the open_time index on "candles" .*Administrate/);
    expect(standIn.requests.filter((r) => r.user === 'writer' && r.operation === 'createIndex').map((r) => r.outcome)).toEqual([403]);
  });

  it('creates a missing database for a dedicated user with that user granted, so it does not lock itself out', async () => {
    await start({ users: { streamforge: { password: 's', databases: { _system: 'rw' } } } });
    const store = open({ username: 'streamforge', password: 's' });
    await store.ensureCollection('candles');
    expect(standIn.requests.find((r) => r.operation === 'createDatabase')?.body).toMatchObject({ name: 'streamforge', users: [{ username: 'streamforge' }] });
    expect(standIn.access('streamforge', 'streamforge')).toBe('rw');
    await store.upsertBatch('candles', candleDocuments(2));
    expect(await store.count('candles')).toBe(2);
  });

  it('says to ask an admin when the database is missing and the user may not create it', async () => {
    await start({ users: { streamforge: { password: 's', databases: { _system: 'ro' } } } });
    await expect(open({ username: 'streamforge', password: 's' }).ensureCollection('candles')).rejects.toThrow(
      'database "streamforge" does not exist on ArangoDB ' + `${standIn.url}/_db/streamforge and user "streamforge" may not create it (HTTP 403 errorNum 11): ask an admin to create it and grant user "streamforge" Administrate ("rw") access to it`,
    );
    expect(standIn.databaseExists('streamforge')).toBe(false);
  });

  it('reports 401 for a user without access to the database as an access problem too, never printing the password', async () => {
    await start({ databases: ['streamforge'], users: { stranger: { password: 'p4ss-w0rd', databases: {} } } });
    const failure = open({ username: 'stranger', password: 'p4ss-w0rd' }).count('candles');
    await expect(failure).rejects.toThrow(/refused the credentials of user "stranger" while counting "candles" \(HTTP 401 errorNum 11.*\); check ARANGO_USER\/ARANGO_PASSWORD \(or ARANGO_TOKEN\), or grant user "stranger" access to database "streamforge"/);
    await expect(failure).rejects.not.toThrow(/p4ss-w0rd/);
    expect(count('countCollection')).toBe(1);
  });

  it('authenticates with a JWT bearer token (ARANGO_TOKEN)', async () => {
    await start({ users: { svc: { password: 'unused', databases: { '*': 'rw' } } }, tokens: { 'jwt.header.signature': 'svc' } });
    const store = open({ username: 'ignored', password: undefined, token: 'jwt.header.signature' });
    await store.ensureCollection('candles');
    expect(new Set(standIn.requests.map((r) => r.user))).toEqual(new Set(['svc']));
    await expect(open({ token: 'forged' }).count('candles')).rejects.toThrow(/refused the credentials of the ARANGO_TOKEN bearer/);
  });

  it('gives every query a server deadline (maxRuntime) and fails a killed one at once, not retried', async () => {
    await start();
    const store = open({ queryTimeoutMs: 200 });
    await store.ensureCollection('candles');
    standIn.inject('query', { type: 'slowQuery', ms: 60_000 });
    const startedAt = Date.now();
    await expect(store.findRange('candles', { field: 'open_time' })).rejects.toThrow(/stopped a query that ran past its time limit .*HTTP 410 errorNum 1500/);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(count('query')).toBe(1);
    expect(standIn.requests.find((r) => r.operation === 'query')?.body).toMatchObject({ options: { maxRuntime: 0.2 } });
  });

  it('fetches a page of limit + 1 in one round trip (batchSize follows the page)', async () => {
    await start();
    const store = open();
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(1500));
    expect(await store.findRange('candles', { field: 'open_time', limit: 1001 })).toHaveLength(1001);
    expect(count('queryNext')).toBe(0);
    expect(standIn.requests.find((r) => r.operation === 'query')?.body).toMatchObject({ batchSize: 1001 });
  });

  it('orders equal range values by _key in the server collation (ICU), not bytes', async () => {
    await start();
    const store = open();
    await store.ensureCollection('c');
    await store.upsertBatch('c', [{ _key: 'b', t: 1 }, { _key: 'B', t: 1 }, { _key: 'a', t: 1 }]);
    expect((await store.findRange('c', { field: 't' })).map((d) => d._key)).toEqual(['a', 'b', 'B']);
  });

  describe('https with a private CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arango-tls-'));
    let certificates: { ca: string; key: string; cert: string } | undefined;
    let skipReason: string | undefined;
    beforeAll(() => {
      try {
        certificates = makeCertificates(dir);
      } catch (error) {
        skipReason = `SKIPPED https stand-in tests: openssl could not make a test CA (${(error as Error).message.split('\n')[0]})`;
        process.stderr.write(`${skipReason}\n`);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('trusts the server through ARANGO_CA_PATH, and fails at once (not retried) without it', async () => {
      if (!certificates) return void expect(skipReason).toMatch(/^SKIPPED/);
      await start({ tls: { key: certificates.key, cert: certificates.cert } });
      expect(standIn.url).toMatch(/^https:/);
      const trusted = open({ ca: certificates.ca });
      await trusted.ensureCollection('candles');
      expect(await trusted.count('candles')).toBe(0);
      const requests = standIn.requests.length;
      const failure = open({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } }).count('candles');
      await expect(failure).rejects.toThrow(StoreRequestError);
      await expect(failure).rejects.toThrow(/cannot trust ArangoDB https:.* TLS \w+ .*ARANGO_CA_PATH/);
      expect(standIn.requests.length).toBe(requests);
    });
  });
});

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it (EC keys: fast). */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=streamforge test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

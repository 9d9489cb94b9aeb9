import { createArangoDocumentStore, type ArangoStoreConfig } from './arango-document-store';
import { candleDocuments } from './bench/candle-documents';
import { CollectionNotFoundError, DocumentWriteError, StoreRequestError, StoreUnavailableError } from './errors';
import { startArangoStandIn, type ArangoStandIn } from './testing/arango-stand-in';

describe('ArangoDocumentStore traps (against the stand-in)', () => {
  let standIn: ArangoStandIn;
  let delays: number[];
  let warnings: string[];

  const open = (overrides: Partial<ArangoStoreConfig> = {}) =>
    createArangoDocumentStore(
      { url: standIn.url, database: 'streamforge', username: standIn.username, password: standIn.password, retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, ...overrides },
      {
        sleep: async (ms) => void delays.push(ms),
        random: () => 1,
        logger: { warn: (_details, message) => void warnings.push(message) },
      },
    );
  const writes = () => standIn.requests.filter((r) => r.operation === 'writeDocuments');

  beforeEach(async () => {
    standIn = await startArangoStandIn();
    delays = [];
    warnings = [];
  });
  afterEach(async () => {
    standIn.assertNoViolations();
    await standIn.close();
  });

  it('creates the database, the collection and the range index when missing', async () => {
    const store = open();
    expect(standIn.databaseExists('streamforge')).toBe(false);
    await store.ensureCollection('candles');
    expect(standIn.databaseExists('streamforge')).toBe(true);
    expect(standIn.documents('streamforge', 'candles')).toEqual([]);
    expect(standIn.indexes('streamforge', 'candles')).toEqual([expect.objectContaining({ type: 'persistent', fields: ['open_time', '_key'], unique: false, sparse: false })]);
    expect(standIn.requests.find((r) => r.operation === 'createIndex')?.body).toMatchObject({ inBackground: true });
    const createDatabase = standIn.requests.find((r) => r.operation === 'createDatabase');
    expect(createDatabase).toMatchObject({ path: '/_db/_system/_api/database', body: { name: 'streamforge' } });
    await store.ensureCollection('candles');
    expect(standIn.requests.filter((r) => r.operation === 'createCollection')).toHaveLength(1);
    await store.close();
  });

  it('treats "duplicate name" from a concurrent creator as success', async () => {
    const store = open();
    standIn.inject('createCollection', { type: 'status', status: 409, errorNum: 1207, errorMessage: 'duplicate name', perform: true });
    await expect(store.ensureCollection('candles')).resolves.toBeUndefined();
    expect(await store.collectionExists('candles')).toBe(true);
    await store.close();
  });

  it('writes a batch in ONE durable, versioned bulk request with overwriteMode=replace', async () => {
    const store = open();
    await store.ensureCollection('candles');
    await store.upsertBatch('candles', candleDocuments(2500));
    expect(writes()).toHaveLength(1);
    expect(writes()[0].query).toEqual({ overwriteMode: 'replace', waitForSync: 'true', versionAttribute: 'sf_version' });
    expect(writes()[0].outcome).toBe(201);
    expect((writes()[0].body as unknown[]).length).toBe(2500);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(2500);
    await store.close();
  });

  it('detects per-document failures inside a 202 and names the keys and errorNums', async () => {
    const store = open();
    await store.ensureCollection('candles');
    const batch = candleDocuments(3);
    standIn.inject('writeDocuments', { type: 'documentErrors', errorNum: 1210, errorMessage: 'unique constraint violated', keys: [batch[1]._key] });
    const failure = store.upsertBatch('candles', batch);
    await expect(failure).rejects.toThrow(DocumentWriteError);
    await expect(failure).rejects.toThrow(`rejected 1 of 3 documents written to "candles" (keys "${batch[1]._key}"; errorNums 1210`);
    await failure.catch((error: DocumentWriteError) => {
      expect(error.retriable).toBe(false);
      expect(error.context).toMatchObject({ collection: 'candles', keys: [batch[1]._key], errorNums: [1210] });
    });
    expect(writes()).toHaveLength(1);
    // The server wrote the others: only the caller's retry of the whole batch makes it whole again.
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(2);
    await store.upsertBatch('candles', batch);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(3);
    await store.close();
  });

  it('retries the whole batch when per-document failures are transient (1004 write concern)', async () => {
    const store = open();
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'documentErrors', errorNum: 1004, errorMessage: 'write concern not fulfilled' });
    await store.upsertBatch('candles', candleDocuments(10));
    expect(writes()).toHaveLength(2);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(10);
    await store.close();
  });

  it.each([
    ['503', { type: 'status', status: 503, errorNum: 503, errorMessage: 'service unavailable' }],
    ['429', { type: 'status', status: 429, errorNum: 32, errorMessage: 'too many requests' }],
    ['403 with 1004 (write concern)', { type: 'status', status: 403, errorNum: 1004, errorMessage: 'read only' }],
    ['a dropped connection', { type: 'drop' }],
  ] as const)('retries %s with exponential backoff, then succeeds', async (_name, fault) => {
    const store = open();
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', fault, 2);
    await store.upsertBatch('candles', candleDocuments(5));
    expect(writes()).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(warnings).toEqual(['retrying ArangoDB: writing 5 documents to "candles"', 'retrying ArangoDB: writing 5 documents to "candles"']);
    expect(standIn.documents('streamforge', 'candles')).toHaveLength(5);
    await store.close();
  });

  it('retries a request that times out', async () => {
    // A timeout the answered retry cannot hit even on a busy machine, far below the injected delay.
    const store = open({ requestTimeoutMs: 1_500 });
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'delay', ms: 5_000 });
    await store.upsertBatch('candles', candleDocuments(5));
    expect(writes()).toHaveLength(2);
    expect(delays).toEqual([100]);
    await store.close();
  });

  it('gives up after the bounded attempts with a clear, retriable error', async () => {
    const store = open();
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'status', status: 503, errorNum: 503, errorMessage: 'service unavailable' }, Infinity);
    const failure = store.upsertBatch('candles', candleDocuments(5));
    await expect(failure).rejects.toThrow(StoreUnavailableError);
    await expect(failure).rejects.toThrow(/is unavailable while writing 5 documents to "candles" \(HTTP 503 errorNum 503: service unavailable\) \(gave up after 3 attempts\)$/);
    await failure.catch((error: StoreUnavailableError) => expect(error.context).toMatchObject({ collection: 'candles', status: 503 }));
    expect(writes()).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    await store.close();
  });

  it('gives up on dropped connections too, naming the cause', async () => {
    const store = open();
    await store.ensureCollection('candles');
    standIn.inject('writeDocuments', { type: 'drop' }, Infinity);
    await expect(store.upsertBatch('candles', candleDocuments(1))).rejects.toThrow(/cannot reach ArangoDB .* while writing 1 documents to "candles": .*\(gave up after 3 attempts\)/);
    expect(writes().map((w) => w.outcome)).toEqual(['dropped', 'dropped', 'dropped']);
    await store.close();
  });

  it('does not retry refused credentials and says which settings to check', async () => {
    const store = open({ password: 'wrong' });
    await expect(store.ensureCollection('candles')).rejects.toThrow(/refused the credentials .* check ARANGO_USER\/ARANGO_PASSWORD/);
    await expect(store.ensureCollection('candles')).rejects.toThrow(StoreRequestError);
    expect(standIn.requests).toHaveLength(2);
    await store.close();
  });

  it('reports a missing collection instead of retrying', async () => {
    const store = open({ database: '_system' });
    await expect(store.upsertBatch('nope', [{ _key: 'a' }])).rejects.toThrow(CollectionNotFoundError);
    expect(writes()).toHaveLength(1);
    await store.close();
  });

  it('pings the version endpoint once, without retrying', async () => {
    const store = open();
    await store.ping();
    standIn.inject('version', { type: 'status', status: 503 });
    await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
    expect(standIn.requests.filter((r) => r.operation === 'version').map((r) => [r.path, r.outcome])).toEqual([
      ['/_db/streamforge/_api/version', 404],
      ['/_db/streamforge/_api/version', 503],
    ]);
    await store.close();
    await expect(store.ping()).rejects.toThrow(/is closed/);
  });
});

describe('the ArangoDB stand-in itself', () => {
  let standIn: ArangoStandIn;
  beforeEach(async () => {
    standIn = await startArangoStandIn({ databases: ['db'] });
  });
  afterEach(() => standIn.close());

  const send = (method: string, path: string, body?: unknown, auth = true) =>
    fetch(`${standIn.url}${path}`, {
      method,
      headers: {
        'x-arango-queue-time-seconds': '10',
        ...(auth ? { authorization: `Basic ${Buffer.from(`${standIn.username}:${standIn.password}`).toString('base64')}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('flags overwrite=true, the import API and silent writes as violations', async () => {
    await send('POST', '/_db/db/_api/collection', { name: 'c' });
    expect((await send('POST', '/_db/db/_api/document/c?overwriteMode=replace&overwrite=true', [{ _key: 'a' }])).status).toBe(400);
    expect((await send('POST', '/_db/db/_api/import?collection=c&type=array&overwrite=true', [{ _key: 'a' }])).status).toBe(400);
    expect((await send('POST', '/_db/db/_api/document/c?overwriteMode=replace&silent=true', [{ _key: 'a' }])).status).toBe(400);
    expect(standIn.violations).toEqual([
      expect.stringContaining('query parameter overwrite=true sent: with the import API it empties the collection first'),
      expect.stringMatching(/^POST \/_db\/db\/_api\/import\?.*: query parameter overwrite=true sent/),
      expect.stringContaining('unexpected query parameter silent=true'),
    ]);
    expect(() => standIn.assertNoViolations()).toThrow(/saw 3 unexpected request/);
    standIn.violations.length = 0;
  });

  it('flags writes that are not durable or not versioned, foreground index builds, queries without a deadline and unbounded queueing', async () => {
    await send('POST', '/_db/db/_api/collection', { name: 'c' });
    await send('POST', '/_db/db/_api/document/c?overwriteMode=replace', [{ _key: 'a' }]);
    await send('POST', '/_db/db/_api/index?collection=c', { type: 'persistent', fields: ['t'] });
    await send('POST', '/_db/db/_api/cursor', { query: 'FOR d IN @@collection RETURN UNSET(d, "_id", "_rev")', bindVars: { '@collection': 'c' } });
    const unbounded = await fetch(`${standIn.url}/_db/db/_api/version`, { headers: { authorization: `Basic ${Buffer.from(`${standIn.username}:${standIn.password}`).toString('base64')}` } });
    expect(unbounded.status).toBe(400);
    expect(standIn.violations).toEqual([
      expect.stringContaining('bulk write without waitForSync=true: acknowledged before it is on disk'),
      expect.stringContaining('without inBackground: true holds the collection write lock'),
      expect.stringContaining('query without options.maxRuntime'),
      expect.stringContaining('no x-arango-queue-time-seconds header'),
    ]);
    standIn.violations.length = 0;
  });

  it('flags a REMOVE that is not durable or fails on a key already gone', async () => {
    await send('POST', '/_db/db/_api/collection', { name: 'c' });
    const remove = (options: string) =>
      send('POST', '/_db/db/_api/cursor', { query: `FOR key IN @keys REMOVE key IN @@collection OPTIONS { ${options} }`, bindVars: { '@collection': 'c', keys: ['a'] }, options: { maxRuntime: 5 } });
    expect((await remove('ignoreErrors: true')).status).toBe(400);
    expect((await remove('waitForSync: true')).status).toBe(400);
    expect((await remove('ignoreErrors: true, waitForSync: true')).status).toBe(201);
    expect(standIn.violations).toEqual([
      expect.stringContaining('REMOVE without waitForSync: true: acknowledged before it is on disk'),
      expect.stringContaining('REMOVE without ignoreErrors: true fails on a key already gone'),
    ]);
    standIn.violations.length = 0;
  });

  it('applies versionAttribute as documented: only a higher number replaces', async () => {
    await send('POST', '/_db/db/_api/collection', { name: 'c' });
    const write = (v: unknown, text: string) => send('POST', '/_db/db/_api/document/c?overwriteMode=replace&waitForSync=true&versionAttribute=v', [{ _key: 'k', v, text }]);
    await write(5, 'five');
    await write(4, 'four');
    await write(5.9, 'five point nine (rounds down to 5)');
    expect(standIn.documents('db', 'c')).toEqual([{ _key: 'k', v: 5, text: 'five' }]);
    await write(6, 'six');
    await write('x', 'not a number: written');
    expect(standIn.documents('db', 'c')).toEqual([{ _key: 'k', v: 'x', text: 'not a number: written' }]);
    expect(standIn.violations).toEqual([]);
  });

  it('flags a request without Basic auth, and answers 401 to wrong credentials like the server', async () => {
    const response = await send('GET', '/_db/db/_api/version', undefined, false);
    expect(response.status).toBe(400);
    expect(standIn.violations).toEqual([expect.stringContaining('no Authorization header')]);
    standIn.violations.length = 0;
    const wrong = await fetch(`${standIn.url}/_db/db/_api/version`, { headers: { authorization: 'Basic eDp5', 'x-arango-queue-time-seconds': '10' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: true, code: 401, errorNum: 11, errorMessage: 'not authorized to execute this request' });
    expect(standIn.violations).toEqual([]);
  });

  it('answers bulk writes per document with X-Arango-Error-Codes, as documented', async () => {
    await send('POST', '/_db/db/_api/collection', { name: 'c' });
    standIn.inject('writeDocuments', { type: 'documentErrors', errorNum: 1200, keys: ['b', 'c'] });
    const response = await send('POST', '/_db/db/_api/document/c?overwriteMode=replace&waitForSync=true&versionAttribute=v', [{ _key: 'a' }, { _key: 'b' }, { _key: 'c' }]);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-arango-error-codes')).toBe('1200:2');
    const body = (await response.json()) as Record<string, unknown>[];
    expect(body[0]).toMatchObject({ _id: 'c/a', _key: 'a' });
    expect(body[1]).toMatchObject({ error: true, errorNum: 1200 });
    expect(standIn.violations).toEqual([]);
  });
});

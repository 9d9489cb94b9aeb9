import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@streamforge/config';
import { z } from 'zod';
import { createDocumentStore } from './create-document-store';
import { SqliteWriteThread } from './sqlite-write-thread';
import { refineStoreSettings, storeSettings } from './store-settings';

const schema = z.object(storeSettings).superRefine(refineStoreSettings);

describe('createDocumentStore and storeSettings', () => {
  it('defaults to SQLite at ./data/streamforge.db when ARANGO_URL is not set', () => {
    const settings = loadConfig(schema, { env: {} });
    expect(settings).toEqual({ SQLITE_PATH: './data/streamforge.db', ARANGO_DB: 'streamforge', ARANGO_USER: 'root', ARANGO_PASSWORD: '' });
    const store = createDocumentStore(settings);
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(join(process.cwd(), 'data', 'streamforge.db'));
  });

  it('puts SQLite upserts on a write thread when the app asks for it', () => {
    const settings = loadConfig(schema, { env: {} });
    const writeThreadOf = (store: unknown) => (store as { writeThread?: unknown }).writeThread;
    expect(writeThreadOf(createDocumentStore(settings, {}, { sqliteWriteThread: true }))).toBeInstanceOf(SqliteWriteThread);
    expect(writeThreadOf(createDocumentStore(settings))).toBeUndefined();
  });

  it('defaults to ArangoDB when ARANGO_URL is set', () => {
    const store = createDocumentStore(loadConfig(schema, { env: { ARANGO_URL: 'http://arangodb:8529/', ARANGO_DB: 'candles_db' } }));
    expect(store.kind).toBe('arango');
    expect(store.location).toBe('http://arangodb:8529/_db/candles_db');
  });

  it('lets STORE=sqlite win over ARANGO_URL and creates the database directory on first use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-factory-'));
    const path = join(dir, 'deep', 'er', 'sf.db');
    const store = createDocumentStore(loadConfig(schema, { env: { STORE: 'sqlite', ARANGO_URL: 'http://arangodb:8529', SQLITE_PATH: path } }));
    expect(store.kind).toBe('sqlite');
    await store.ensureCollection('candles');
    expect(statSync(path).isFile()).toBe(true);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [{ STORE: 'arango' }, 'ARANGO_URL: STORE=arango needs ARANGO_URL (e.g. http://arangodb:8529)'],
    [{ STORE: 'mongo' }, 'STORE: '],
    [{ ARANGO_URL: 'arangodb:8529' }, 'ARANGO_URL: an http(s) URL such as http://arangodb:8529 (got "arangodb:8529")'],
    [{ ARANGO_DB: '1db' }, 'ARANGO_DB: an ArangoDB database name'],
    [{ ARANGO_URL: 'https://root:hunter2@arangodb:8529' }, 'ARANGO_URL: must not carry credentials (user:password@): set ARANGO_USER and ARANGO_PASSWORD from the Secret (got "https://<redacted>@arangodb:8529")'],
  ])('refuses %j with one line naming the variable', (env, line) => {
    expect(() => loadConfig(schema, { env })).toThrow(line);
  });
});

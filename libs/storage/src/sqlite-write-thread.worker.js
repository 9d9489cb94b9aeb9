// @ts-check
'use strict';
// The write side of SqliteDocumentStore's `writeThread` mode, run with worker_threads: its own
// connection to the database file, one transaction per batch. Plain CommonJS so the same file runs
// from the sources (tests) and beside an app's bundle (copied there as a build asset); the
// TypeScript side (sqlite-write-thread.ts) owns the protocol:
//   in:  { id, sql, keys, documents, versions }  sql takes (_key, doc, version); keys and documents
//        are '\n'-joined (neither a valid `_key` nor JSON.stringify output contains a newline),
//        versions is an array of integers or null
//   out: { id } once committed, or { id, error: { code, message } } after a rollback
//   in:  { close: true }  closes the database once every earlier write is done, then the thread ends
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

if (!parentPort) throw new Error('sqlite-write-thread.worker.js runs as a worker thread only');
const port = parentPort;
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma(`synchronous = ${workerData.synchronous}`);

/** @type {Map<string, (keys: string[], documents: string[], versions: (number | null)[]) => void>} one transaction function per statement */
const writers = new Map();

/** @param {string} sql */
function writer(sql) {
  let write = writers.get(sql);
  if (!write) {
    const statement = db.prepare(sql);
    write = db.transaction((/** @type {string[]} */ keys, /** @type {string[]} */ documents, /** @type {(number | null)[]} */ versions) => {
      for (let i = 0; i < keys.length; i++) statement.run(keys[i], documents[i], versions[i]);
    });
    writers.set(sql, write);
  }
  return write;
}

port.on('message', (/** @type {{ id: number, sql: string, keys: string, documents: string, versions: (number | null)[] } | { close: true }} */ message) => {
  if ('close' in message) {
    db.close();
    port.close();
    return;
  }
  try {
    const keys = message.keys.split('\n');
    const documents = message.documents.split('\n');
    if (keys.length !== documents.length || keys.length !== message.versions.length) {
      throw Object.assign(new Error(`${keys.length} keys for ${documents.length} documents and ${message.versions.length} versions`), { code: 'STREAMFORGE_PROTOCOL' });
    }
    writer(message.sql)(keys, documents, message.versions);
    port.postMessage({ id: message.id });
  } catch (error) {
    // A dropped table invalidates the statement: prepare it again next time.
    writers.delete(message.sql);
    const { code, message: text } = /** @type {{ code?: string, message?: string }} */ (error);
    port.postMessage({ id: message.id, error: { code: code ?? '', message: text ?? String(error) } });
  }
});

/**
 * A local HTTP stand-in for the few ArangoDB 3.12 endpoints ArangoDocumentStore uses (no ArangoDB
 * server can run on our machines). Written from the ArangoDB HTTP API docs: it answers like the
 * server (status codes, `{error, code, errorNum, errorMessage}` bodies, inline per-document errors
 * with `X-Arango-Error-Codes`), checks every request (method, path, query parameters, body shape,
 * Basic or bearer auth, database access per user) and records anything unexpected, or against our
 * write policy (durable, versioned, background indexes, deadlines on queries and queues), as a
 * violation, which tests assert is empty. Faults (503, per-document errors, dropped connections
 * before or after the write, slow answers, slow queries) can be injected per operation. Strings
 * sort like the server's ICU collation (`en`), not by bytes. Serves https when given a key pair.
 *
 * Endpoints: GET /_api/version; GET /_api/database/current; POST /_api/database (in _system);
 * GET /_api/collection/{c}; POST /_api/collection; GET /_api/collection/{c}/count;
 * POST /_api/index?collection=c (persistent); POST /_api/document/{c} (array, overwriteMode=replace);
 * PATCH /_api/document/{c} (array, keepNull=true, mergeObjects=false: field updates keeping the version);
 * GET /_api/document/{c}/{key}; POST /_api/cursor (the adapter's AQL shapes: all, range, page, remove);
 * POST|DELETE /_api/cursor/{id}. Everything under /_db/{database}/.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type StandInOperation =
  | 'version'
  | 'currentDatabase'
  | 'createDatabase'
  | 'getCollection'
  | 'createCollection'
  | 'countCollection'
  | 'createIndex'
  | 'writeDocuments'
  | 'updateDocuments'
  | 'readDocument'
  | 'query'
  | 'queryNext'
  | 'deleteCursor';

export type StandInFault =
  /**
   * Answer with this status and an ArangoDB error body instead of doing the operation; with
   * `perform`, do it first (e.g. another client created the collection in between: 409 1207).
   */
  | { type: 'status'; status: number; errorNum?: number; errorMessage?: string; perform?: boolean }
  /** Read the request, then destroy the socket without answering (connection reset / socket hang up). */
  | { type: 'drop' }
  /** Do the operation, then destroy the socket instead of answering: applied, but the answer is lost. */
  | { type: 'dropAfter' }
  /**
   * Wait before handling the request normally (to trigger client timeouts). The request is still
   * handled after the client gave up, as the server does: a delayed original lands after its retry.
   */
  | { type: 'delay'; ms: number }
  /**
   * query only: the query runs this long. Past the request's `options.maxRuntime` the server kills
   * it at that limit (410, errorNum 1500); without maxRuntime it just takes that long.
   */
  | { type: 'slowQuery'; ms: number }
  /**
   * writeDocuments only: answer 202 with inline `{error: true, errorNum}` for the chosen keys
   * (default: the first document) while writing the others, as the server does.
   */
  | { type: 'documentErrors'; errorNum: number; errorMessage?: string; keys?: string[] };

export interface RecordedRequest {
  operation: StandInOperation | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** What the stand-in did: a status code, or 'dropped'. */
  outcome?: number | 'dropped';
  /** The authenticated user (never the password or token). */
  user?: string;
  /** The request's x-arango-queue-time-seconds header. */
  queueTimeSeconds?: string;
}

/** Database access levels as ArangoDB names them: `rw` = Administrate, `ro` = Access. */
export type StandInAccess = 'rw' | 'ro';

export interface StandInUser {
  password: string;
  /** Access per database (`*` for any); a database not listed is no access (401, as the server answers). */
  databases: Record<string, StandInAccess>;
}

export interface ArangoStandInOptions {
  /** The default user (root-like: `rw` on every database). */
  username?: string;
  password?: string;
  /** More users, e.g. a dedicated writer or a read-only API user. */
  users?: Record<string, StandInUser>;
  /** JWTs accepted as `Authorization: bearer <token>`, each acting as the named user. */
  tokens?: Record<string, string>;
  /** Databases that exist from the start besides `_system`. */
  databases?: string[];
  /** Serve https with this key pair (PEM). */
  tls?: { key: string; cert: string };
}

export interface ArangoStandIn {
  /** Base URL to give the adapter as ARANGO_URL. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests that broke the documented API or our write policy; tests assert this stays empty. */
  readonly violations: string[];
  /** Applies `fault` to the next `times` (default 1, Infinity for always) requests of `operation`. */
  inject(operation: StandInOperation, fault: StandInFault, times?: number): void;
  clearFaults(): void;
  /** Documents of a collection as stored (with `_key`, without `_id`/`_rev`), or undefined if missing. */
  documents(database: string, collection: string): Record<string, unknown>[] | undefined;
  databaseExists(database: string): boolean;
  /** Indexes created on a collection (as requested). */
  indexes(database: string, collection: string): Record<string, unknown>[];
  /** Throws listing the violations, if any. */
  assertNoViolations(): void;
  /** Resolves once every request received so far has been handled (also those whose client gave up). */
  settled(): Promise<void>;
  /** Access of a user to a database, as the server would check it. */
  access(username: string, database: string): StandInAccess | undefined;
  close(): Promise<void>;
}

interface CollectionState {
  id: string;
  documents: Map<string, Record<string, unknown>>;
  indexes: Record<string, unknown>[];
}

interface CursorState {
  remaining: unknown[];
  batchSize: number;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly errorNum: number, message: string) {
    super(message);
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,255}$/;
const KEY = /^[A-Za-z0-9_\-:.@()+,=;$!*'%]{1,254}$/;
const RANGE_QUERY =
  /^FOR d IN @@collection FILTER d\.@field >= @lower AND d\.@field <= @upper SORT d\.@field, d\._key (?:LIMIT @offset, (@limit|9007199254740991) )?RETURN UNSET\(d, "_id", "_rev"\)$/;
const ALL_QUERY = /^FOR d IN @@collection RETURN UNSET\(d, "_id", "_rev"\)$/;
const PAGE_QUERY =
  /^FOR d IN @@collection FILTER d\.@field >= @lower AND d\.@field <= @upper((?: FILTER d\.@w\d+ IN @v\d+)*)(?: FILTER \(d\.@field ([<>]) @afterValue OR \(d\.@field == @afterValue AND d\._key ([<>]) @afterKey\)\))? SORT d\.@field (ASC|DESC), d\._key (ASC|DESC) LIMIT @limit RETURN UNSET\(d, "_id", "_rev"\)$/;
const REMOVE_QUERY = /^FOR key IN @keys REMOVE key IN @@collection OPTIONS \{ ([^{}]*) \}$/;
/** Operations that need Administrate (`rw`) on the database: schema changes. */
const ADMIN_OPERATIONS = new Set<StandInOperation>(['createDatabase', 'createCollection', 'createIndex']);

/** Starts the stand-in on a free local port. */
export async function startArangoStandIn(options: ArangoStandInOptions = {}): Promise<ArangoStandIn> {
  const username = options.username ?? 'root';
  const password = options.password ?? 'stand-in-password';
  // Copies: createDatabase grants access by changing them.
  const accounts = new Map<string, StandInUser>([
    [username, { password, databases: { '*': 'rw' } }],
    ...Object.entries(options.users ?? {}).map(([name, user]) => [name, { ...user, databases: { ...user.databases } }] as const),
  ]);
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const inFlight = new Set<Promise<void>>();
  const databases = new Map<string, Map<string, CollectionState>>([['_system', new Map()]]);
  for (const name of options.databases ?? []) databases.set(name, new Map());
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const faults: { operation: StandInOperation; fault: StandInFault; remaining: number }[] = [];
  const cursors = new Map<string, CursorState>();
  let nextId = 1000;
  let revision = 1;

  const violation = (request: RecordedRequest, what: string): never => {
    violations.push(`${request.method} ${request.path}${Object.keys(request.query).length ? `?${new URLSearchParams(request.query)}` : ''}: ${what}`);
    throw new ApiError(400, 10, `stand-in: ${what}`);
  };

  /** documentErrors faults are consumed inside the write itself; the others before handling. */
  const takeFault = (operation: StandInOperation, documentErrors: boolean): StandInFault | undefined => {
    const rule = faults.find((f) => f.operation === operation && f.remaining > 0 && (f.fault.type === 'documentErrors') === documentErrors);
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  };

  const checkQuery = (request: RecordedRequest, allowed: Record<string, (value: string) => boolean>) => {
    for (const [name, value] of Object.entries(request.query)) {
      const check = allowed[name];
      if (!check) violation(request, `unexpected query parameter ${name}=${value}`);
      else if (!check(value)) violation(request, `query parameter ${name}=${value} is not allowed here`);
    }
  };

  const database = (request: RecordedRequest, name: string) => {
    const found = databases.get(name);
    if (!found) throw new ApiError(404, 1228, 'database not found');
    return found;
  };
  const collectionOf = (request: RecordedRequest, db: string, name: string) => {
    const collections = database(request, db);
    const found = collections.get(name);
    if (!found) throw new ApiError(404, 1203, `collection or view not found: ${name}`);
    return found;
  };
  const collectionInfo = (name: string, state: CollectionState) => ({
    error: false,
    code: 200,
    id: state.id,
    name,
    status: 3,
    type: 2,
    isSystem: false,
    globallyUniqueId: `h${state.id}`,
  });
  const stored = (collection: string, document: Record<string, unknown>) => ({ ...document, _id: `${collection}/${document._key as string}` });

  function route(request: RecordedRequest): { operation: StandInOperation; params: string[] } | undefined {
    const match = request.path.match(/^\/_db\/([^/]+)(\/_api\/.*)$/);
    if (!match) return undefined;
    const db = decodeURIComponent(match[1]);
    const api = match[2];
    const table: [string, RegExp, StandInOperation][] = [
      ['GET', /^\/_api\/version$/, 'version'],
      ['GET', /^\/_api\/database\/current$/, 'currentDatabase'],
      ['POST', /^\/_api\/database$/, 'createDatabase'],
      ['GET', /^\/_api\/collection\/([^/]+)$/, 'getCollection'],
      ['POST', /^\/_api\/collection$/, 'createCollection'],
      ['GET', /^\/_api\/collection\/([^/]+)\/count$/, 'countCollection'],
      ['POST', /^\/_api\/index$/, 'createIndex'],
      ['POST', /^\/_api\/document\/([^/]+)$/, 'writeDocuments'],
      ['PATCH', /^\/_api\/document\/([^/]+)$/, 'updateDocuments'],
      ['GET', /^\/_api\/document\/([^/]+)\/([^/]+)$/, 'readDocument'],
      ['POST', /^\/_api\/cursor$/, 'query'],
      ['POST', /^\/_api\/cursor\/([^/]+)$/, 'queryNext'],
      ['DELETE', /^\/_api\/cursor\/([^/]+)$/, 'deleteCursor'],
    ];
    for (const [method, pattern, operation] of table) {
      const found = api.match(pattern);
      if (found && method === request.method) return { operation, params: [db, ...found.slice(1).map((p) => decodeURIComponent(p))] };
    }
    return undefined;
  }

  function handle(request: RecordedRequest, operation: StandInOperation, params: string[]): { status: number; body: unknown; headers?: Record<string, string> } {
    const [db] = params;
    const body = request.body as Record<string, unknown> | undefined;
    const requireNoBody = () => {
      if (request.body !== undefined) violation(request, 'unexpected request body');
    };
    const requireObjectBody = () => {
      if (!body || typeof body !== 'object' || Array.isArray(body)) violation(request, 'body must be a JSON object');
      return body as Record<string, unknown>;
    };
    switch (operation) {
      case 'version': {
        checkQuery(request, { details: (v) => v === 'true' || v === 'false' });
        requireNoBody();
        database(request, db);
        return { status: 200, body: { server: 'arango', license: 'community', version: '3.12.4' } };
      }
      case 'currentDatabase': {
        checkQuery(request, {});
        requireNoBody();
        database(request, db);
        return { status: 200, body: { error: false, code: 200, result: { name: db, id: '1', isSystem: db === '_system', path: 'none' } } };
      }
      case 'createDatabase': {
        checkQuery(request, {});
        if (db !== '_system') throw new ApiError(403, 1230, 'operation only allowed in system database');
        const { name, options: dbOptions, users, ...rest } = requireObjectBody();
        if (Object.keys(rest).length) violation(request, `unexpected body attributes ${Object.keys(rest).join(', ')}`);
        if (typeof name !== 'string' || !NAME.test(name)) violation(request, `database name ${JSON.stringify(name)} is invalid`);
        if (dbOptions !== undefined && (typeof dbOptions !== 'object' || Array.isArray(dbOptions))) violation(request, 'options must be an object');
        if (users !== undefined && !Array.isArray(users)) violation(request, 'users must be an array');
        if (databases.has(name as string)) throw new ApiError(409, 1207, 'duplicate database name');
        databases.set(name as string, new Map());
        // As documented: the listed users get Administrate on the new database (missing ones are created); without users, only root-like users can use it.
        for (const entry of (users ?? []) as { username?: unknown; passwd?: unknown }[]) {
          if (typeof entry?.username !== 'string') violation(request, 'every user needs a username');
          const existing = accounts.get(entry.username as string);
          if (existing) existing.databases[name as string] = 'rw';
          else accounts.set(entry.username as string, { password: typeof entry.passwd === 'string' ? entry.passwd : '', databases: { [name as string]: 'rw' } });
        }
        return { status: 201, body: { error: false, code: 201, result: true } };
      }
      case 'getCollection': {
        checkQuery(request, {});
        requireNoBody();
        const state = collectionOf(request, db, params[1]);
        return { status: 200, body: collectionInfo(params[1], state) };
      }
      case 'createCollection': {
        checkQuery(request, { waitForSyncReplication: (v) => v === '0' || v === '1', enforceReplicationFactor: (v) => v === '0' || v === '1' });
        const { name, type, ...rest } = requireObjectBody();
        const allowedProps = ['waitForSync', 'keyOptions', 'schema', 'computedValues', 'cacheEnabled', 'numberOfShards', 'shardKeys', 'replicationFactor', 'writeConcern'];
        const unknown = Object.keys(rest).filter((k) => !allowedProps.includes(k));
        if (unknown.length) violation(request, `unexpected collection properties ${unknown.join(', ')}`);
        if (typeof name !== 'string' || !NAME.test(name)) throw new ApiError(400, 1208, 'illegal name');
        if (type !== undefined && type !== 2) violation(request, `collection type ${JSON.stringify(type)}: expected 2 (document)`);
        const collections = database(request, db);
        if (collections.has(name)) throw new ApiError(409, 1207, `duplicate name: ${name}`);
        const state: CollectionState = { id: String(nextId++), documents: new Map(), indexes: [] };
        collections.set(name, state);
        return { status: 200, body: collectionInfo(name, state) };
      }
      case 'countCollection': {
        checkQuery(request, {});
        requireNoBody();
        const state = collectionOf(request, db, params[1]);
        return { status: 200, body: { ...collectionInfo(params[1], state), count: state.documents.size } };
      }
      case 'createIndex': {
        checkQuery(request, { collection: (v) => v.length > 0 });
        const state = collectionOf(request, db, request.query.collection ?? violation(request, 'query parameter collection is required'));
        const { type, fields, name, unique, sparse, inBackground, ...rest } = requireObjectBody();
        if (Object.keys(rest).length) violation(request, `unexpected index attributes ${Object.keys(rest).join(', ')}`);
        if (inBackground !== true) violation(request, 'index built without inBackground: true holds the collection write lock for the whole build');
        if (type !== 'persistent') violation(request, `index type ${JSON.stringify(type)}: the adapter should only create persistent indexes`);
        if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f !== '_id')) {
          violation(request, `fields ${JSON.stringify(fields)} must be a non-empty array of attribute paths (not _id)`);
        }
        if (name !== undefined && (typeof name !== 'string' || !NAME.test(name))) violation(request, `index name ${JSON.stringify(name)} is invalid`);
        if (unique !== undefined && typeof unique !== 'boolean') violation(request, 'unique must be a boolean');
        if (sparse !== undefined && typeof sparse !== 'boolean') violation(request, 'sparse must be a boolean');
        const existing = state.indexes.find((i) => JSON.stringify(i.fields) === JSON.stringify(fields) && Boolean(i.unique) === Boolean(unique) && Boolean(i.sparse) === Boolean(sparse));
        if (existing) return { status: 200, body: { ...existing, isNewlyCreated: false, error: false, code: 200 } };
        const index = { id: `${request.query.collection}/${nextId++}`, type, fields, name: name ?? `idx_${nextId}`, unique: Boolean(unique), sparse: Boolean(sparse) };
        state.indexes.push(index);
        return { status: 201, body: { ...index, isNewlyCreated: true, error: false, code: 201 } };
      }
      case 'writeDocuments': {
        checkQuery(request, { overwriteMode: (v) => v === 'replace', waitForSync: (v) => v === 'true' || v === 'false', versionAttribute: (v) => NAME.test(v) || v.startsWith('_') });
        if (request.query.overwriteMode !== 'replace') violation(request, 'bulk writes must use overwriteMode=replace (idempotent by _key)');
        if (request.query.waitForSync !== 'true') violation(request, 'bulk write without waitForSync=true: acknowledged before it is on disk');
        if (!request.query.versionAttribute) violation(request, 'bulk write without versionAttribute: a delayed request could overwrite a newer version');
        const versionAttribute = request.query.versionAttribute;
        const collection = params[1];
        const state = collectionOf(request, db, collection);
        if (!Array.isArray(request.body)) violation(request, 'body must be a JSON array of documents (one bulk request per batch)');
        const items = request.body as unknown[];
        if (items.length === 0) violation(request, 'empty batch sent');
        const fault = takeFault('writeDocuments', true);
        const failing = new Set<string>();
        if (fault?.type === 'documentErrors') {
          for (const key of fault.keys ?? [String((items[0] as Record<string, unknown>)?._key)]) failing.add(key);
        }
        const counts = new Map<number, number>();
        const results = items.map((item) => {
          if (!item || typeof item !== 'object' || Array.isArray(item)) violation(request, 'every array item must be a document object');
          const document = item as Record<string, unknown>;
          if (typeof document._key !== 'string' || !KEY.test(document._key)) violation(request, `document _key ${JSON.stringify(document._key)} is missing or invalid`);
          for (const system of ['_id', '_rev', '_from', '_to']) if (system in document) violation(request, `document ${document._key as string} carries ${system}`);
          const key = document._key as string;
          if (failing.has(key) && fault?.type === 'documentErrors') {
            counts.set(fault.errorNum, (counts.get(fault.errorNum) ?? 0) + 1);
            return { error: true, errorNum: fault.errorNum, errorMessage: fault.errorMessage ?? `stand-in injected error ${fault.errorNum}` };
          }
          const old = state.documents.get(key);
          // versionAttribute, as documented: replaced only when both versions are numbers and the new one is higher (rounded down); skipped without error otherwise.
          const newVersion = versionAttribute ? document[versionAttribute] : undefined;
          const oldVersion = versionAttribute && old ? old[versionAttribute] : undefined;
          if (typeof newVersion === 'number' && newVersion >= 0 && typeof oldVersion === 'number' && Math.floor(newVersion) <= Math.floor(oldVersion)) {
            return { _id: `${collection}/${key}`, _key: key, _rev: old?._rev };
          }
          const rev = `_r${revision++}`;
          state.documents.set(key, { ...document, _rev: rev });
          return old ? { _id: `${collection}/${key}`, _key: key, _rev: rev, _oldRev: old._rev } : { _id: `${collection}/${key}`, _key: key, _rev: rev };
        });
        const headers: Record<string, string> = {};
        if (counts.size) headers['x-arango-error-codes'] = [...counts].map(([num, n]) => `${num}:${n}`).join(',');
        return { status: request.query.waitForSync === 'true' ? 201 : 202, body: results, headers };
      }
      case 'updateDocuments': {
        checkQuery(request, { keepNull: (v) => v === 'true', mergeObjects: (v) => v === 'false', waitForSync: (v) => v === 'true' || v === 'false' });
        if (request.query.waitForSync !== 'true') violation(request, 'bulk update without waitForSync=true: acknowledged before it is on disk');
        if (request.query.keepNull !== 'true') violation(request, 'bulk update without keepNull=true: null fields would be removed instead of stored');
        const collection = params[1];
        const state = collectionOf(request, db, collection);
        if (!Array.isArray(request.body) || request.body.length === 0) violation(request, 'body must be a non-empty JSON array of documents (one bulk request per batch)');
        const results = (request.body as unknown[]).map((item) => {
          if (!item || typeof item !== 'object' || Array.isArray(item)) violation(request, 'every array item must be a document object');
          const { _key: key, ...fields } = item as Record<string, unknown>;
          if (typeof key !== 'string' || !KEY.test(key)) violation(request, `document _key ${JSON.stringify(key)} is missing or invalid`);
          for (const system of ['_id', '_rev', '_from', '_to']) if (system in fields) violation(request, `document ${key as string} carries ${system}`);
          const old = state.documents.get(key as string);
          if (!old) return { error: true, errorNum: 1202, errorMessage: 'document not found' };
          const rev = `_r${revision++}`;
          state.documents.set(key as string, { ...old, ...fields, _rev: rev });
          return { _id: `${collection}/${key as string}`, _key: key, _rev: rev, _oldRev: old._rev };
        });
        return { status: 201, body: results };
      }
      case 'readDocument': {
        checkQuery(request, {});
        requireNoBody();
        const state = collectionOf(request, db, params[1]);
        const document = state.documents.get(params[2]);
        if (!document) throw new ApiError(404, 1202, 'document not found');
        return { status: 200, body: stored(params[1], document) };
      }
      case 'query': {
        checkQuery(request, {});
        const { query, bindVars, batchSize, count, options: queryOptions, ...rest } = requireObjectBody();
        const allowedRest = ['cache', 'memoryLimit', 'ttl'];
        const unknown = Object.keys(rest).filter((k) => !allowedRest.includes(k));
        if (unknown.length) violation(request, `unexpected cursor attributes ${unknown.join(', ')}`);
        if (typeof query !== 'string') violation(request, 'query must be a string');
        if (batchSize !== undefined && (!Number.isInteger(batchSize) || (batchSize as number) < 1)) violation(request, 'batchSize must be a positive integer');
        if (count !== undefined && typeof count !== 'boolean') violation(request, 'count must be a boolean');
        if (queryOptions !== undefined && (typeof queryOptions !== 'object' || Array.isArray(queryOptions))) violation(request, 'options must be an object');
        const maxRuntime = (queryOptions as { maxRuntime?: unknown } | undefined)?.maxRuntime;
        if (!(typeof maxRuntime === 'number' && maxRuntime > 0)) violation(request, 'query without options.maxRuntime: it could hold a connection forever');
        const vars = (bindVars ?? {}) as Record<string, unknown>;
        const declared = new Set([...(query as string).matchAll(/@(@?[A-Za-z0-9_]+)/g)].map((m) => m[1]));
        for (const name of declared) if (!(name in vars)) throw new ApiError(400, 1551, `no value specified for declared bind parameter '${name}'`);
        for (const name of Object.keys(vars)) if (!declared.has(name)) throw new ApiError(400, 1552, `bind parameter '${name}' was not declared in the query`);
        const rows = runQuery(request, db, query as string, vars);
        const size = (batchSize as number | undefined) ?? 1000;
        const first = rows.slice(0, size);
        const remaining = rows.slice(size);
        const base = { error: false, code: 201, cached: false, extra: { warnings: [], stats: {} } };
        if (remaining.length === 0) return { status: 201, body: { ...base, result: first, hasMore: false, ...(count ? { count: rows.length } : {}) } };
        const id = String(nextId++);
        cursors.set(id, { remaining, batchSize: size });
        return { status: 201, body: { ...base, result: first, hasMore: true, id, ...(count ? { count: rows.length } : {}) } };
      }
      case 'queryNext': {
        checkQuery(request, {});
        const cursor = cursors.get(params[1]);
        if (!cursor) throw new ApiError(404, 1600, 'cursor not found');
        const batch = cursor.remaining.splice(0, cursor.batchSize);
        const hasMore = cursor.remaining.length > 0;
        if (!hasMore) cursors.delete(params[1]);
        return { status: 200, body: { error: false, code: 200, result: batch, hasMore, ...(hasMore ? { id: params[1] } : {}), cached: false, extra: {} } };
      }
      case 'deleteCursor': {
        checkQuery(request, {});
        if (!cursors.delete(params[1])) throw new ApiError(404, 1600, 'cursor not found');
        return { status: 202, body: { error: false, code: 202, id: params[1] } };
      }
    }
  }

  function runQuery(request: RecordedRequest, db: string, query: string, vars: Record<string, unknown>): unknown[] {
    const collection = vars['@collection'];
    if (typeof collection !== 'string') violation(request, 'bind parameter @collection must be a collection name');
    const state = collectionOf(request, db, collection as string);
    const documents = [...state.documents.values()].map(withoutRevision);
    if (ALL_QUERY.test(query)) return documents.sort((a, b) => compareAql(a._key, b._key));
    const remove = query.match(REMOVE_QUERY);
    if (remove) {
      const removeOptions = remove[1].split(', ');
      if (!removeOptions.includes('ignoreErrors: true')) violation(request, 'REMOVE without ignoreErrors: true fails on a key already gone (a retried remove)');
      if (!removeOptions.includes('waitForSync: true')) violation(request, 'REMOVE without waitForSync: true: acknowledged before it is on disk');
      // An AQL write needs write access, like a document write (403, errorNum 11).
      if (accessOf(request.user as string, db) !== 'rw') throw new ApiError(403, 11, 'forbidden');
      if (!Array.isArray(vars.keys) || vars.keys.some((k) => typeof k !== 'string')) violation(request, 'bind parameter keys must be a list of strings');
      for (const key of vars.keys as string[]) state.documents.delete(key);
      return [];
    }
    const page = query.match(PAGE_QUERY);
    if (page) return runPageQuery(request, documents, page, vars);
    const range = query.match(RANGE_QUERY);
    if (!range) return violation(request, `AQL the adapter is not known to send: ${query}`);
    const { field, lower: from, upper: to } = vars as { field: unknown; lower: unknown; upper: unknown };
    if (typeof field !== 'string' || typeof from !== 'number' || typeof to !== 'number') violation(request, 'range bind parameters must be field: string, lower/upper: numbers');
    const f = field as string;
    const hits = documents
      .filter((d) => compareAql(d[f] ?? null, from) >= 0 && compareAql(d[f] ?? null, to) <= 0)
      .sort((a, b) => compareAql(a[f] ?? null, b[f] ?? null) || compareAql(a._key, b._key));
    if (!query.includes('LIMIT')) return hits;
    const offset = vars.offset as number;
    const limit = range[1] === '@limit' ? (vars.limit as number) : Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) violation(request, 'offset and limit must be non-negative integers');
    return hits.slice(offset, offset + limit);
  }

  /** The adapter's findPage AQL, evaluated with AQL's type order (null < bool < number < string). */
  function runPageQuery(request: RecordedRequest, documents: Array<Record<string, unknown>>, page: RegExpMatchArray, vars: Record<string, unknown>): unknown[] {
    const [, filters, afterOp, afterKeyOp, fieldDirection, keyDirection] = page;
    if (afterOp !== afterKeyOp || fieldDirection !== keyDirection || (afterOp && (afterOp === '<') !== (fieldDirection === 'DESC'))) {
      violation(request, 'the cursor comparison and the sort direction disagree');
    }
    const { field, lower, upper, limit } = vars as { field: unknown; lower: unknown; upper: unknown; limit: unknown };
    if (typeof field !== 'string' || typeof lower !== 'number' || typeof upper !== 'number' || !Number.isInteger(limit) || (limit as number) < 0) {
      violation(request, 'page bind parameters must be field: string, lower/upper: numbers, limit: a non-negative integer');
    }
    const f = field as string;
    const wheres = [...filters.matchAll(/@w(\d+) IN @v(\d+)/g)].map(([, w, v]) => {
      if (w !== v || typeof vars[`w${w}`] !== 'string' || !Array.isArray(vars[`v${v}`])) violation(request, `filter @w${w} IN @v${v} needs a field name and a list`);
      return { name: vars[`w${w}`] as string, values: vars[`v${v}`] as unknown[] };
    });
    const sign = fieldDirection === 'DESC' ? -1 : 1;
    const position = (d: Record<string, unknown>) => compareAql(d[f] ?? null, vars.afterValue) || compareAql(d._key, vars.afterKey);
    return documents
      .filter((d) => compareAql(d[f] ?? null, lower) >= 0 && compareAql(d[f] ?? null, upper) <= 0)
      .filter((d) => wheres.every((w) => w.values.some((value) => compareAql(d[w.name] ?? null, value) === 0)))
      .filter((d) => !afterOp || sign * position(d) > 0)
      .sort((a, b) => sign * (compareAql(a[f] ?? null, b[f] ?? null) || compareAql(a._key, b._key)))
      .slice(0, limit as number);
  }

  /** Basic or bearer credentials → the user; anything else is 401 like the server. */
  function authenticate(request: RecordedRequest, auth: string | undefined): string {
    if (!auth) violation(request, 'no Authorization header (Basic or bearer auth expected)');
    const [scheme, value = ''] = (auth as string).split(' ');
    if (/^bearer$/i.test(scheme)) {
      const name = tokens.get(value);
      if (name && accounts.has(name)) return name;
    } else if (scheme === 'Basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon > 0 && accounts.get(name)?.password === decoded.slice(colon + 1)) return name;
    }
    throw new ApiError(401, 11, 'not authorized to execute this request');
  }

  function accessOf(name: string, db: string): StandInAccess | undefined {
    const user = accounts.get(name);
    return user?.databases[db] ?? user?.databases['*'];
  }

  /** A missing database is 404 first; then no access is 401 and too little access 403 (errorNum 11), as the server answers. */
  function authorize(operation: StandInOperation, db: string, name: string): void {
    if (!databases.has(db)) return;
    const level = accessOf(name, db);
    if (!level) throw new ApiError(401, 11, 'not authorized to execute this request');
    const writes = ADMIN_OPERATIONS.has(operation) || operation === 'writeDocuments';
    if (writes && level !== 'rw') throw new ApiError(403, 11, 'forbidden');
  }

  /** maxRuntime kills a query at its limit; a query without one just runs long. */
  async function runSlowQuery(request: RecordedRequest, ms: number): Promise<void> {
    const maxRuntime = ((request.body as { options?: { maxRuntime?: unknown } } | undefined)?.options?.maxRuntime ?? 0) as number;
    if (maxRuntime > 0 && ms > maxRuntime * 1000) {
      await new Promise((resolve) => setTimeout(resolve, maxRuntime * 1000));
      throw new ApiError(410, 1500, 'query killed');
    }
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const handled = respond(req, res, Buffer.concat(chunks).toString('utf8'));
      inFlight.add(handled);
      void handled.finally(() => inFlight.delete(handled));
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest);

  async function respond(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const request: RecordedRequest = { operation: 'unknown', method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
    requests.push(request);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      request.outcome = status;
      // The client gave up (timeout) while the request was delayed: the work is done, nobody hears the answer.
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', server: 'ArangoDB', ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      if (raw.length > 0) {
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) violation(request, `content-type ${req.headers['content-type']} for a JSON body`);
        try {
          request.body = JSON.parse(raw);
        } catch {
          throw new ApiError(400, 600, 'invalid JSON object');
        }
      }
      const user = authenticate(request, req.headers.authorization);
      request.user = user;
      request.queueTimeSeconds = req.headers['x-arango-queue-time-seconds'] as string | undefined;
      const queueTime = Number(request.queueTimeSeconds);
      if (!(queueTime > 0)) violation(request, 'no x-arango-queue-time-seconds header: a request may wait in the server queue without bound');
      if ('overwrite' in request.query) {
        violation(request, `query parameter overwrite=${request.query.overwrite} sent: with the import API it empties the collection first; use overwriteMode=replace`);
      }
      const found = route(request);
      if (!found) return violation(request, 'endpoint the adapter is not known to use');
      request.operation = found.operation;
      authorize(found.operation, found.params[0], user);
      const fault = takeFault(found.operation, false);
      if (fault?.type === 'drop') {
        request.outcome = 'dropped';
        req.socket.destroy();
        return;
      }
      if (fault?.type === 'status' && fault.perform) handle(request, found.operation, found.params);
      if (fault?.type === 'status') throw new ApiError(fault.status, fault.errorNum ?? fault.status, fault.errorMessage ?? `stand-in injected ${fault.status}`);
      if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (fault?.type === 'slowQuery') await runSlowQuery(request, fault.ms);
      const answer = handle(request, found.operation, found.params);
      if (fault?.type === 'dropAfter') {
        request.outcome = 'dropped';
        req.socket.destroy();
        return;
      }
      send(answer.status, answer.body, answer.headers);
    } catch (error) {
      if (error instanceof ApiError) send(error.status, { error: true, code: error.status, errorNum: error.errorNum, errorMessage: error.message });
      else send(500, { error: true, code: 500, errorNum: 4, errorMessage: `stand-in bug: ${(error as Error).message}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    username,
    password,
    requests,
    violations,
    inject(operation, fault, times = 1) {
      faults.push({ operation, fault, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    documents(db, collection) {
      const state = databases.get(db)?.get(collection);
      return state ? [...state.documents.values()].map(withoutRevision) : undefined;
    },
    databaseExists: (db) => databases.has(db),
    indexes: (db, collection) => databases.get(db)?.get(collection)?.indexes ?? [],
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    access: accessOf,
    assertNoViolations() {
      if (violations.length) throw new Error(`ArangoDB stand-in saw ${violations.length} unexpected request(s):\n${violations.join('\n')}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function withoutRevision(document: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...document };
  delete copy._rev;
  return copy;
}

/** ArangoDB compares strings with ICU in the server's language (`en` by default), not by bytes: "a" < "B" < "b". */
const ICU = new Intl.Collator('en');

/** AQL's order of types: null < bool < number < string < array < object. */
function compareAql(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : Array.isArray(v) ? 4 : 5);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1 || ra === 2) return Number(a) - Number(b);
  if (ra === 3) return ICU.compare(a as string, b as string);
  return 0;
}

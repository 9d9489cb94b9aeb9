import type { Logger } from '@streamforge/logging';
import { describeIssues, queueStateSchema, type QueueState, type QueueStatus } from '@streamforge/schemas';
import { documentVersion, withDocumentVersion, type DocumentStore, type StoredDocument } from '@streamforge/storage';
import { TERMINAL_QUEUE } from './queue-state-reducer';

export const QUEUE_STATE_COLLECTION = 'queue_state';

/** Told every saved state, with the one it replaced (undefined for a new queue). */
export type QueueChangeListener = (state: QueueState, previous: QueueState | undefined) => void;

/** Queues that have not ended: the ones queue-manager keeps in memory. */
export const LIVE_QUEUE_STATUSES: readonly QueueStatus[] = ['pending', 'started', 'loading', 'stopping'];

/** Where a page of queues starts: after this queue in the newest-first order. */
export interface QueueCursor {
  createdAt: number;
  queueId: string;
}

export interface QueuePageQuery {
  limit: number;
  after?: QueueCursor;
  statuses?: readonly QueueStatus[];
  symbol?: string;
}

const LOAD_PAGE = 500;

/** A queue's state with the version its document was stored with (undefined: unversioned, or known already). */
interface StoredQueue {
  state: QueueState;
  version: number | undefined;
}

/**
 * Queue state in the store, one document per queue keyed by queue id. Read-modify-write of one
 * queue is serialised (events, API calls and the stop supervisor all update it), and every change
 * is announced to the listeners (WebSocket, metrics). queue-manager is the collection's only
 * writer (one replica): live queues are served from a write-through cache filled at init; ended
 * ones (months of history on a shared cluster) stay in the store and are read page by page.
 */
export class QueueStateRepository {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: QueueChangeListener[] = [];
  private readonly live = new Map<string, QueueState>();
  /**
   * The last version written (or read) per live queue, or per ended queue being changed; see
   * nextVersion. An ended queue's version is read back from its document when it is changed.
   */
  private readonly versions = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly store: DocumentStore, logger: Logger, private readonly now: () => number = Date.now) {
    this.log = logger.child({ component: 'queue-state' });
  }

  /** Loads the live queues only, page by page. */
  async init(): Promise<void> {
    await this.store.ensureCollection(QUEUE_STATE_COLLECTION, { rangeFields: ['created_at', 'updated_at'] });
    let after: QueueCursor | undefined;
    for (;;) {
      const page = await this.readPage({ limit: LOAD_PAGE, after, statuses: LIVE_QUEUE_STATUSES });
      for (const { state, version } of page.entries) {
        this.live.set(state.queue_id, state);
        if (version !== undefined) this.noteVersion(state.queue_id, version);
      }
      if (!page.next) return;
      after = page.next;
    }
  }

  onChange(listener: QueueChangeListener): void {
    this.listeners.push(listener);
  }

  /** States are replaced, never mutated, so callers may hold on to what they get. */
  async get(queueId: string): Promise<QueueState | undefined> {
    return (await this.read(queueId))?.state;
  }

  /** Queues that have not ended, newest first (from memory). */
  listLive(): QueueState[] {
    return [...this.live.values()].sort((a, b) => b.created_at - a.created_at || (a.queue_id < b.queue_id ? 1 : -1));
  }

  /** One page of every queue, newest first (ties by queue id), read from the store; `next` is where the following page starts. */
  async page(query: QueuePageQuery): Promise<{ queues: QueueState[]; next: QueueCursor | null }> {
    const page = await this.readPage(query);
    return { queues: page.entries.map((entry) => entry.state), next: page.next };
  }

  /**
   * Whether any queue, live or ended, writes to this collection (GET /candles reads only those).
   * Live queues from memory, then the store page by page: ended queues are not in memory.
   */
  async hasCollection(name: string): Promise<boolean> {
    const writes = (state: QueueState) => state.targets.some((t) => t.collection_name === name);
    if ([...this.live.values()].some(writes)) return true;
    let after: QueueCursor | undefined;
    for (;;) {
      const page = await this.readPage({ limit: LOAD_PAGE, after });
      if (page.entries.some((entry) => writes(entry.state))) return true;
      if (!page.next) return false;
      after = page.next;
    }
  }

  /**
   * Ended queues whose last change is older than `before` (unix seconds), oldest first, one page
   * after `after` (the last queue of the previous page).
   */
  async endedBefore(before: number, limit: number, after?: QueueState): Promise<QueueState[]> {
    const documents = await this.store.findPage(QUEUE_STATE_COLLECTION, {
      orderBy: 'updated_at', limit, where: { status: [...TERMINAL_QUEUE] }, after: after ? { value: after.updated_at, key: after.queue_id } : undefined,
    });
    return documents
      .map((d) => this.parse(d))
      .filter((s): s is QueueState => s !== undefined && s.updated_at < before);
  }

  async create(state: QueueState): Promise<void> {
    await this.withLock(state.queue_id, () => this.save(state, undefined));
  }

  /** Applies `change` to the stored state under the queue's lock; undefined from it means no change. */
  update(queueId: string, change: (state: QueueState) => QueueState | undefined): Promise<QueueState | undefined> {
    return this.withLock(queueId, async () => {
      const stored = await this.read(queueId);
      if (!stored) return undefined;
      const current = stored.state;
      // An ended queue is not in memory: its next version must be above the one in its document.
      if (stored.version !== undefined) this.noteVersion(queueId, stored.version);
      const next = change(current);
      if (!next) return undefined;
      const saved = { ...next, updated_at: Math.max(Date.now() / 1000, current.updated_at) };
      await this.save(saved, current);
      return saved;
    });
  }

  /** Deletes the queue's document if `stillRemovable` holds for it under the queue's lock. */
  remove(queueId: string, stillRemovable: (state: QueueState) => boolean): Promise<boolean> {
    return this.withLock(queueId, async () => {
      const current = await this.get(queueId);
      if (!current || !stillRemovable(current)) return false;
      await this.store.remove(QUEUE_STATE_COLLECTION, [queueId]);
      this.live.delete(queueId);
      this.versions.delete(queueId);
      return true;
    });
  }

  private async save(state: QueueState, previous: QueueState | undefined): Promise<void> {
    const valid = queueStateSchema.parse(state);
    const version = this.nextVersion(valid.queue_id);
    await this.store.upsertBatch(QUEUE_STATE_COLLECTION, [withDocumentVersion({ _key: valid.queue_id, ...valid }, version)]);
    if (TERMINAL_QUEUE.has(valid.status)) {
      this.live.delete(valid.queue_id);
      // Stored with this version now: a later change reads it back from the document (see read).
      this.versions.delete(valid.queue_id);
    } else {
      this.live.set(valid.queue_id, valid);
    }
    for (const listener of this.listeners) {
      try {
        listener(valid, previous);
      } catch (error) {
        this.log.error({ err: error, queueId: valid.queue_id }, 'queue change listener failed');
      }
    }
  }

  /**
   * Each save of a queue gets a higher version, so a delayed retry of an older save (a late
   * "running") can never overwrite a newer one ("done") in the store. Milliseconds since the epoch,
   * at least one more than the last: increasing within this process (saves of a queue are
   * serialised) and across restarts, even if a write of the previous process lands after init.
   * Taken before the write, so a failed save's version is never reused.
   */
  private nextVersion(queueId: string): number {
    const version = Math.max(this.now(), (this.versions.get(queueId) ?? 0) + 1);
    this.versions.set(queueId, version);
    return version;
  }

  /** Remembers a version read from the store (never lowers one taken for a write). */
  private noteVersion(queueId: string, version: number): void {
    this.versions.set(queueId, Math.max(version, this.versions.get(queueId) ?? 0));
  }

  /** A live queue from memory (version already known), an ended one from the store with its stored version. */
  private async read(queueId: string): Promise<StoredQueue | undefined> {
    const cached = this.live.get(queueId);
    if (cached) return { state: cached, version: undefined };
    const document = await this.store.get(QUEUE_STATE_COLLECTION, queueId);
    const state = document ? this.parse(document) : undefined;
    return state && document ? { state, version: documentVersion(document) } : undefined;
  }

  /** One page of queues newest first, each with its stored version. */
  private async readPage(query: QueuePageQuery): Promise<{ entries: StoredQueue[]; next: QueueCursor | null }> {
    const where: Record<string, readonly string[]> = {};
    if (query.statuses) where.status = query.statuses;
    if (query.symbol) where.symbol = [query.symbol];
    const documents = await this.store.findPage(QUEUE_STATE_COLLECTION, {
      orderBy: 'created_at', descending: true, limit: query.limit, where,
      after: query.after ? { value: query.after.createdAt, key: query.after.queueId } : undefined,
    });
    const entries = documents.flatMap((document: StoredDocument) => {
      const state = this.parse(document);
      return state ? [{ state, version: documentVersion(document) }] : [];
    });
    const last = documents.at(-1);
    const next = documents.length === query.limit && last ? { createdAt: last.created_at as number, queueId: last._key } : null;
    return { entries, next };
  }

  private parse(document: Record<string, unknown>): QueueState | undefined {
    const { _key, _id, _rev, ...fields } = document;
    void _id;
    void _rev;
    const result = queueStateSchema.safeParse(fields);
    if (result.success) return result.data;
    // A document we cannot read is reported, never silently dropped from a listing without a trace.
    this.log.error({ key: _key, reason: describeIssues(result.error, fields) }, 'unreadable queue_state document');
    return undefined;
  }

  private withLock<T>(queueId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(queueId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.locks.set(queueId, tail);
    void tail.then(() => {
      if (this.locks.get(queueId) === tail) this.locks.delete(queueId);
    });
    return run;
  }
}

import type { Logger } from '@streamforge/logging';
import { describeIssues, queueStateSchema, type QueueState } from '@streamforge/schemas';
import { documentVersion, withDocumentVersion, type DocumentStore } from '@streamforge/storage';

export const QUEUE_STATE_COLLECTION = 'queue_state';

export type QueueChangeListener = (state: QueueState) => void;

/**
 * Queue state in the store, one document per queue keyed by queue id. Read-modify-write of one
 * queue is serialised (events, API calls and the stop supervisor all update it), and every change
 * is announced to the listeners (WebSocket, metrics). queue-manager is the collection's only
 * writer (one replica), so reads are served from a write-through cache filled at init.
 */
export class QueueStateRepository {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: QueueChangeListener[] = [];
  private readonly cache = new Map<string, QueueState>();
  /** The last version written (or read) per queue; see nextVersion. */
  private readonly versions = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly store: DocumentStore, logger: Logger, private readonly now: () => number = Date.now) {
    this.log = logger.child({ component: 'queue-state' });
  }

  async init(): Promise<void> {
    await this.store.ensureCollection(QUEUE_STATE_COLLECTION, { rangeFields: [] });
    for (const document of await this.store.all(QUEUE_STATE_COLLECTION)) {
      const state = this.parse(document);
      if (state) this.cache.set(state.queue_id, state);
      const version = documentVersion(document);
      if (state && version !== undefined) this.versions.set(state.queue_id, version);
    }
  }

  onChange(listener: QueueChangeListener): void {
    this.listeners.push(listener);
  }

  /** States are replaced, never mutated, so callers may hold on to what they get. */
  async get(queueId: string): Promise<QueueState | undefined> {
    return this.cache.get(queueId);
  }

  /** Every queue, newest first. */
  async list(): Promise<QueueState[]> {
    return [...this.cache.values()].sort((a, b) => b.created_at - a.created_at || a.queue_id.localeCompare(b.queue_id));
  }

  async create(state: QueueState): Promise<void> {
    await this.withLock(state.queue_id, () => this.save(state));
  }

  /** Applies `change` to the stored state under the queue's lock; undefined from it means no change. */
  update(queueId: string, change: (state: QueueState) => QueueState | undefined): Promise<QueueState | undefined> {
    return this.withLock(queueId, async () => {
      const current = await this.get(queueId);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return undefined;
      const saved = { ...next, updated_at: Math.max(Date.now() / 1000, current.updated_at) };
      await this.save(saved);
      return saved;
    });
  }

  private async save(state: QueueState): Promise<void> {
    const valid = queueStateSchema.parse(state);
    const version = this.nextVersion(valid.queue_id);
    await this.store.upsertBatch(QUEUE_STATE_COLLECTION, [withDocumentVersion({ _key: valid.queue_id, ...valid }, version)]);
    this.cache.set(valid.queue_id, valid);
    for (const listener of this.listeners) {
      try {
        listener(valid);
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

import type { QueueState, TelemetryEvent } from '@streamforge/schemas';

/** Events kept per queue for its live log; older ones scroll away (the store holds the truth). */
export const EVENT_LOG_LIMIT = 1_000;

/** The newest events of one queue, and how many ever arrived (to append only what is new). */
export interface EventLog {
  events: TelemetryEvent[];
  total: number;
}

export type StoreChange = { kind: 'queues' } | { kind: 'events'; queueId: string };

/**
 * The dashboard's view of every queue: fed by the WebSocket and by `GET /queues` re-syncs, which
 * may arrive in any order, so a state older (by `updated_at`) than the one held is ignored.
 */
export class QueueStore {
  private readonly queues = new Map<string, QueueState>();
  private readonly events = new Map<string, EventLog>();
  private readonly listeners = new Set<(change: StoreChange) => void>();

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one `/ws/topic` message; returns false for anything that is not one we know. */
  applyMessage(message: unknown): boolean {
    if (!isObject(message) || !isObject(message.data) || typeof message.data.queue_id !== 'string') return false;
    if (message.type === 'queue') {
      if (this.put(message.data as unknown as QueueState)) this.emit({ kind: 'queues' });
      return true;
    }
    if (message.type === 'event') {
      const event = message.data as unknown as TelemetryEvent;
      const log = this.events.get(event.queue_id) ?? { events: [], total: 0 };
      log.events.push(event);
      log.total += 1;
      if (log.events.length > EVENT_LOG_LIMIT) log.events.splice(0, log.events.length - EVENT_LOG_LIMIT);
      this.events.set(event.queue_id, log);
      this.emit({ kind: 'events', queueId: event.queue_id });
      return true;
    }
    return false;
  }

  /** Merges a full `GET /queues` listing (after a (re)connect). */
  resync(queues: QueueState[]): void {
    let changed = false;
    for (const queue of queues) changed = this.put(queue) || changed;
    if (changed) this.emit({ kind: 'queues' });
  }

  get(queueId: string): QueueState | undefined {
    return this.queues.get(queueId);
  }

  /** Newest first. */
  list(): QueueState[] {
    return [...this.queues.values()].sort((a, b) => b.created_at - a.created_at || a.queue_id.localeCompare(b.queue_id));
  }

  eventLog(queueId: string): Readonly<EventLog> {
    return this.events.get(queueId) ?? { events: [], total: 0 };
  }

  private put(queue: QueueState): boolean {
    const held = this.queues.get(queue.queue_id);
    if (held && held.updated_at > queue.updated_at) return false;
    this.queues.set(queue.queue_id, queue);
    return true;
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

import type { Kafka, KafkaMessage } from 'kafkajs';
import { createLogger } from '@streamforge/logging';
import { createTopicTail, type TopicTail } from '../topic-tail';

export interface RecordedMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  json?: unknown;
}

/** Records every message of a topic from now on, and waits for ones that match. */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  private readonly tail: TopicTail;
  private waiters: Array<() => void> = [];

  constructor(kafka: Kafka, readonly topic: string, since = Date.now()) {
    this.tail = createTopicTail({ topic, groupPrefix: 'test-recorder', since }, { kafka, logger: createLogger({ service: 'test', level: 'error' }) });
  }

  async start(): Promise<this> {
    await this.tail.start((message, partition) => this.record(message, partition));
    return this;
  }

  /** Parsed JSON values, in arrival order. */
  values<T = Record<string, unknown>>(): T[] {
    return this.messages.filter((m) => m.json !== undefined).map((m) => m.json as T);
  }

  /** Resolves with the matching values once `count` of them arrived; rejects after timeoutMs. */
  async waitFor<T = Record<string, unknown>>(predicate: (value: T) => boolean, options: { count?: number; timeoutMs?: number } = {}): Promise<T[]> {
    const count = options.count ?? 1;
    const timeoutMs = options.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.values<T>().filter(predicate);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} matching message(s) on ${this.topic}; saw ${JSON.stringify(this.values()).slice(0, 2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  close(): Promise<void> {
    return this.tail.close();
  }

  private record(message: KafkaMessage, partition: number): void {
    const value = message.value?.toString('utf8') ?? null;
    let json: unknown;
    try {
      json = value === null ? undefined : JSON.parse(value);
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers ?? {})) headers[name] = String(header);
    this.messages.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value, headers, json });
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { EOS_HEADER, EOS_KEY, EOS_SPLIT_HEADER, type Candle } from '@streamforge/schemas';

/** Publishes candles (or raw values) and end-of-stream markers the way the loader does, for tests and benchmarks. */
export class CandlePublisher {
  private readonly producer: Producer;

  constructor(kafka: Kafka, readonly topic: string) {
    // Not idempotent: a fixture publisher wants raw speed, and tests count what they sent.
    this.producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Candles keyed by `_key` (the default partitioner spreads them), in sends of `chunk` messages. */
  async candles(candles: ReadonlyArray<Candle | Record<string, unknown>>, chunk = 5_000): Promise<void> {
    for (let from = 0; from < candles.length; from += chunk) {
      const messages = candles.slice(from, from + chunk).map((candle) => ({ key: String(candle._key), value: JSON.stringify(candle) }));
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    }
  }

  /** Arbitrary messages (malformed ones for the dead-letter tests). */
  async raw(messages: Message[]): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages });
  }

  /** One marker per partition, as a finished loader run writes them; `split` (`k/n`) as a loader split writes them. */
  async endOfStream(partitions: number[], count: number, split?: string): Promise<void> {
    const headers = { [EOS_HEADER]: String(count), ...(split === undefined ? {} : { [EOS_SPLIT_HEADER]: split }) };
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: partitions.map((partition) => ({ partition, key: EOS_KEY, value: String(count), headers })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

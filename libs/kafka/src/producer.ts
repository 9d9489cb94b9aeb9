import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** The idempotent producer every worker uses: acks from all replicas, no duplicates on retry. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  // kafkajs keeps idempotent sequences safe only with one request in flight per broker.
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

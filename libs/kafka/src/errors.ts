/** Base of every error libs/kafka raises: carries whether a retry can help, and the cause. */
export class StreamforgeKafkaError extends Error {
  override name = 'StreamforgeKafkaError';
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Broker unreachable, or credentials refused: the service cannot do anything useful. */
export class KafkaConnectionError extends StreamforgeKafkaError {
  override name = 'KafkaConnectionError';
  constructor(readonly brokers: string[], cause: unknown) {
    super(`cannot connect to Kafka at ${brokers.join(',')}: ${describeKafkaError(cause)}`, false, { cause });
  }
}

/** A message we were about to send failed its schema: a bug of ours, never sent. */
export class InvalidOutgoingMessageError extends StreamforgeKafkaError {
  override name = 'InvalidOutgoingMessageError';
  constructor(readonly topic: string, reason: string) {
    super(`refusing to send an invalid message to ${topic}: ${reason}`, false);
  }
}

/** kafkajs hides the useful part of SASL failures in `type`/`cause`: flatten it into one line. */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [`${error.name}: ${error.message}`];
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && !error.message.includes(cause.message)) parts.push(`caused by ${cause.name}: ${cause.message}`);
  return parts.join('; ');
}

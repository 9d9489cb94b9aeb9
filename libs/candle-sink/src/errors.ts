/** Base of every error libs/candle-sink raises: whether a retry can help, and the cause. */
export class CandleSinkError extends Error {
  override name = 'CandleSinkError';
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store kept failing for longer than the configured bound; nothing of the batch was committed. */
export class StoreRetryExhaustedError extends CandleSinkError {
  override name = 'StoreRetryExhaustedError';
  constructor(readonly collection: string, readonly attempts: number, readonly elapsedMs: number, cause: unknown) {
    super(`the store failed ${attempts} times over ${(elapsedMs / 1000).toFixed(1)} s (collection "${collection}"), giving up: ${describeError(cause)}`, false, { cause });
  }
}

/** A stop arrived while the sink was waiting to retry a write; the batch stays uncommitted. */
export class StopRequestedError extends CandleSinkError {
  override name = 'StopRequestedError';
  constructor() {
    super('stop requested while retrying a write', false);
  }
}

/** Bad messages could not be sent to the dead-letter topic, so their offsets cannot be committed. */
export class DeadLetterError extends CandleSinkError {
  override name = 'DeadLetterError';
  constructor(readonly topic: string, readonly count: number, cause: unknown) {
    super(`cannot send ${count} bad message(s) to the dead-letter topic ${topic}: ${describeError(cause)}`, false, { cause });
  }
}

/** The load looked complete, but the store holds fewer candles than the loader published. */
export class IncompleteLoadError extends CandleSinkError {
  override name = 'IncompleteLoadError';
  constructor(readonly collection: string, readonly expected: number, readonly stored: number, readonly missingOpenTimes: readonly number[] | undefined) {
    const where = missingOpenTimes === undefined
      ? 'the missing open_times could not be read'
      : missingOpenTimes.length === 0
        ? 'no hole between its oldest and newest candle (the missing ones are before or after)'
        : `first missing open_time(s): ${missingOpenTimes.map((t) => `${t} (${new Date(t).toISOString()})`).join(', ')}`;
    super(`the end-of-stream markers report at least ${expected} candles published, but "${collection}" holds ${stored} documents (${expected - stored} missing); ${where}`, false);
  }
}

/** `Name: message` of an error (or its string), for one-line logs and telemetry. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

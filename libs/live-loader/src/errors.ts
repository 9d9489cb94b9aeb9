/** Base of every error libs/live-loader raises: whether a retry can help, and the cause. */
export class LiveLoaderError extends Error {
  override name = 'LiveLoaderError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A stream message that is not exactly what Binance documents; counted, logged, never published. */
export class MalformedStreamMessageError extends LiveLoaderError {
  override name = 'MalformedStreamMessageError';
  constructor(
    readonly stream: string,
    detail: string,
    /** The start of the offending message, for the log line. */
    readonly sample: string,
  ) {
    super(`malformed message on ${stream}: ${detail}`, false);
  }
}

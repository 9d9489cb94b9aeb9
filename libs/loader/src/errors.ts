/** Base of every error libs/loader raises: whether a retry can help, and the cause. */
export class LoaderError extends Error {
  override name = 'LoaderError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The load stopped on an error; carries what was safely published before it. */
export class LoadFailedError extends LoaderError {
  override name = 'LoadFailedError';
  constructor(
    readonly failure: Error,
    readonly published: number,
    readonly lastOpenTime: number | undefined,
  ) {
    super(failure.message, false, { cause: failure });
  }
}

/** The newest candle already in the topic could not be read, so resuming would be a guess. */
export class ResumePointError extends LoaderError {
  override name = 'ResumePointError';
  constructor(
    readonly topic: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`cannot read the newest candle in ${topic}: ${detail}`, true, { cause });
  }
}

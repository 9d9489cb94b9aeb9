import type { FieldError } from '@streamforge/schemas';

/** Base of every error libs/orchestrator raises; `httpStatus` is what the API answers with. */
export class OrchestratorError extends Error {
  override name = 'OrchestratorError';
  constructor(message: string, readonly httpStatus: number, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The request is wrong: each bad field with its reason, and the accepted names when a name was unknown. */
export class RequestError extends OrchestratorError {
  override name = 'RequestError';
  constructor(readonly errors: FieldError[], readonly known?: string[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '), 400, false);
  }
}

export class QueueNotFoundError extends OrchestratorError {
  override name = 'QueueNotFoundError';
  constructor(readonly queueId: string) {
    super(`no queue ${queueId}`, 404, false);
  }
}

/** The request contradicts the state (a finished queue stopped, a load already running). */
export class QueueConflictError extends OrchestratorError {
  override name = 'QueueConflictError';
  constructor(message: string, readonly queueId: string) {
    super(message, 409, false);
  }
}

/** A worker could not be started; the queue (if created) records which and why. */
export class StartFailedError extends OrchestratorError {
  override name = 'StartFailedError';
  constructor(message: string, readonly queueId: string | undefined, options?: { cause?: unknown }) {
    super(message, 500, false, options);
  }
}

/** A start refused by an admission limit (running queues, concurrent starts): try again later. */
export class AdmissionError extends OrchestratorError {
  override name = 'AdmissionError';
  constructor(message: string, readonly limit: string, readonly retryAfterSeconds: number) {
    super(message, 429, true);
  }
}

/**
 * A dependency (Kafka) did not answer in time; nothing that was not reported was done.
 * `publicMessage` says what was and was not done, without the dependency's own details (addresses).
 */
export class DependencyUnavailableError extends OrchestratorError {
  override name = 'DependencyUnavailableError';
  constructor(message: string, readonly queueId: string | undefined, readonly publicMessage: string, options?: { cause?: unknown }) {
    super(message, 503, true, options);
  }
}

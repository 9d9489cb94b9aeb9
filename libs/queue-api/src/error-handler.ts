import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@streamforge/logging';
import { AdmissionError, DependencyUnavailableError, OrchestratorError, RequestError } from '@streamforge/orchestrator';
import { failure } from './envelope';
import { RequestValidationError } from './request-validation';

/** Maps every error to the documented envelope: 400 validation, 404 unknown, 409 conflict, 429 admission limit, 5xx ours. */
export function createErrorHandler(logger: Logger) {
  const log = logger.child({ component: 'api' });
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RequestValidationError) {
      return reply.code(400).send(failure(error.message, { errors: error.errors }));
    }
    if (error instanceof RequestError) {
      return reply.code(400).send(failure(`invalid request: ${error.message}`, { errors: error.errors, ...(error.known ? { known: error.known } : {}) }));
    }
    if (error instanceof AdmissionError) {
      return reply.code(429).header('retry-after', String(error.retryAfterSeconds)).send(failure(error.message));
    }
    if (error instanceof OrchestratorError && error.httpStatus < 500) return reply.code(error.httpStatus).send(failure(error.message));
    const clientStatus = (error as FastifyError).statusCode;
    if (clientStatus !== undefined && clientStatus >= 400 && clientStatus < 500) {
      return reply.code(clientStatus).send(failure(error.message));
    }
    // Details (a store URL, a path, a stack) go to the log only; the caller gets the id to quote.
    const status = error instanceof OrchestratorError ? error.httpStatus : 500;
    log.error({ err: error, requestId: request.id, method: request.method, url: request.url }, 'request failed');
    // A 503 still says what was and was not done (the caller decides whether to retry), never why in detail.
    if (error instanceof DependencyUnavailableError) return reply.code(status).send(failure(`${error.publicMessage} (request ${request.id})`));
    return reply.code(status).send(failure(`internal error (request ${request.id})`));
  };
}

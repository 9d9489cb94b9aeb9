import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@streamforge/logging';
import { AdmissionError, OrchestratorError, RequestError } from '@streamforge/orchestrator';
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
    if (error instanceof OrchestratorError) {
      if (error.httpStatus >= 500) log.error({ err: error, url: request.url }, 'request failed');
      return reply.code(error.httpStatus).send(failure(error.message));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send(failure(error.message));
    }
    log.error({ err: error, method: request.method, url: request.url }, 'unexpected error');
    return reply.code(500).send(failure(`internal error: ${error.message}`));
  };
}

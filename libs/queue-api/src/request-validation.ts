import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { describeIssues, type FieldError } from '@streamforge/schemas';

/** A request part failed its schema: one FieldError per bad field, naming the value received. */
export class RequestValidationError extends Error {
  override name = 'RequestValidationError';
  readonly statusCode = 400;
  readonly retriable = false;
  constructor(readonly part: string, readonly errors: FieldError[]) {
    super(`invalid request ${part}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
}

/** Validates with the route's zod schema; errors keep the received values for the message. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => (data) => {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data };
  const errors = result.error.issues.map((issue) => {
    const line = describeIssues({ issues: [issue] } as z.ZodError, data);
    const separator = line.indexOf(': ');
    return { path: line.slice(0, separator), message: line.slice(separator + 2) };
  });
  const part = httpPart === 'querystring' ? 'query string' : (httpPart ?? 'body');
  return { error: new RequestValidationError(part, errors) };
};

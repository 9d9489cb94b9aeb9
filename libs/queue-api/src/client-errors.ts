import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { failure } from './envelope';

/** Node's refusals before a request exists, on any path: each answers with the error envelope. */
export const CLIENT_ERROR_MEANINGS = {
  408: 'The request did not arrive within the server request timeout.',
  431: "The request's headers are over the server's limit (Node's --max-http-header-size, 16 KiB by default).",
} as const;

/**
 * Fastify's clientErrorHandler: a request Node refuses while parsing (headers too large, a request
 * too slow, a malformed request line) gets the error envelope like every other refusal, not
 * Fastify's own body; then the connection closes, as Node's default does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'request headers over the size limit' : status === 408 ? 'the request did not arrive in time' : 'malformed HTTP request';
  const body = JSON.stringify(failure(message));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

type Operation = { responses?: Record<string, unknown> };
/** Adds 408 and 431 (any path may get them) to every operation of the document. */
export function withClientErrors<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as Array<Record<string, Operation | undefined>>) {
    for (const operation of Object.values(operations)) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      for (const [status, description] of Object.entries(CLIENT_ERROR_MEANINGS)) {
        operation.responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } };
      }
    }
  }
  return document;
}

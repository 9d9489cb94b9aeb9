import type { QueueCursor } from '@streamforge/orchestrator';
import { RequestValidationError } from './request-validation';

/** The opaque `next_cursor` of `GET /queues`: base64url of `[created_at, queue_id]`. */
export function encodeQueueCursor(cursor: QueueCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.queueId])).toString('base64url');
}

export function decodeQueueCursor(text: string): QueueCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') return { createdAt: value[0], queueId: value[1] };
  } catch {
    // reported below
  }
  throw new RequestValidationError('query string', [{ path: 'cursor', message: `not a cursor this API issued; pass the next_cursor of the previous page (got "${text}")` }]);
}

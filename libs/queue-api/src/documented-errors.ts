import { errorEnvelopeSchema, QUEUE_ID_MAX_LENGTH } from '@streamforge/schemas';

export const BODY_LIMIT_BYTES = 64 * 1024;
// Longer than any queue id even percent-encoded character by character; a longer path parameter is a 414.
export const MAX_PARAM_LENGTH = QUEUE_ID_MAX_LENGTH * 3;

/** What each error status means, as the document says it; every one carries the error envelope. */
export const ERROR_MEANINGS = {
  400: 'The request breaks its schema, or a rule its x-server-rules name; data.errors names each field and the value received (on /ws/topic: a malformed WebSocket handshake).',
  401: 'No valid token (WWW-Authenticate: Bearer).',
  403: "The token's role may not do this, or (WebSocket) a foreign Origin.",
  404: 'Not found.',
  409: "Contradicts the queue's state.",
  413: `The body is over ${BODY_LIMIT_BYTES / 1024} KiB.`,
  414: `A path parameter is over ${MAX_PARAM_LENGTH} characters.`,
  415: 'The body is not Content-Type: application/json.',
  426: 'A plain HTTP request: this path only upgrades to a WebSocket (Upgrade: websocket).',
  429: 'An admission limit is reached; Retry-After says when to try again.',
  500: 'Internal error; the message carries the request id to quote (details only in the log).',
  503: 'A dependency (Kafka) is unavailable or late; the message says what was and was not done. Retry-After where given.',
} as const;
export type ErrorStatus = keyof typeof ERROR_MEANINGS;
export const errorResponses = (...statuses: ErrorStatus[]) => Object.fromEntries(statuses.map((status) => [status, errorEnvelopeSchema.describe(ERROR_MEANINGS[status])]));
/** Every authenticated JSON route: a bad token, a role, an internal error. */
export const AUTHENTICATED: ErrorStatus[] = [401, 403, 500];
/** Every POST: its JSON body is checked for content type, size and schema. */
export const JSON_BODY: ErrorStatus[] = [400, 413, 415];

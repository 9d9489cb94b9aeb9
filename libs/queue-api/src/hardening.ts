import type { FastifyInstance } from 'fastify';
import { failure } from './envelope';
import { RequestValidationError } from './request-validation';

export interface HardeningConfig {
  /** Open /ws/topic connections at most; another handshake gets a 503. */
  maxWsConnections: number;
  /** Current open /ws/topic connections. */
  wsConnections: () => number;
}

/** Deeper JSON is refused before parsing: no request body of ours nests more than a few levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * Web-surface limits every route shares: POST bodies are JSON only (a foreign page can send a form,
 * text/plain or an empty POST without a CORS preflight, never application/json), JSON nesting is
 * bounded, the number of WebSocket clients is capped, and every answer carries its request id.
 */
export function registerHardening(app: FastifyInstance, config: HardeningConfig): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const depth = jsonDepth(body as string);
    if (depth > MAX_JSON_DEPTH) {
      return done(new RequestValidationError('body', [{ path: '(root)', message: `JSON nested ${depth} levels deep; at most ${MAX_JSON_DEPTH}` }]), undefined);
    }
    parseJson(request, body as string, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    // Only a route that takes the POST checks its body's type; elsewhere the not-found handler answers 404 or 405.
    if (request.method === 'POST' && request.routeOptions.url !== undefined && !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send(failure(`${request.url.split('?')[0]} takes a JSON body: send Content-Type: application/json (got ${JSON.stringify(request.headers['content-type'] ?? 'none')})`));
    }
    if (request.routeOptions.url === '/ws/topic' && config.wsConnections() >= config.maxWsConnections) {
      return reply.code(503).header('retry-after', '10').send(failure(`too many /ws/topic connections (at most ${config.maxWsConnections}); retry later`));
    }
  });
}

/** The deepest nesting of objects and arrays in a JSON text, strings skipped (a linear scan). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}

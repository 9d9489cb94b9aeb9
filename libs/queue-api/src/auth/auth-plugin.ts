import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@streamforge/logging';
import { failure } from '../envelope';
import { AuthenticationError, ForbiddenError } from './auth-errors';
import type { Authenticator } from './authenticator';
import { roleAllows, type Principal, type Role } from './roles';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; unset on public routes and when authentication is off. */
    principal?: Principal;
  }
}

/** The subprotocol a /ws/topic client asks for; the server selects it, never the bearer one. */
export const WS_PROTOCOL = 'streamforge.v1';
/** `Sec-WebSocket-Protocol: streamforge.v1, bearer.<token>` carries a browser's token (it cannot set headers). */
export const WS_BEARER_PREFIX = 'bearer.';

/**
 * Route patterns anyone may call: probes, Prometheus inside the cluster, and the dashboard's static
 * shell (it holds no data and asks for a token itself).
 */
const PUBLIC_ROUTES = new Set(['/health/live', '/health/ready', '/health/startup', '/metrics', '/', '/dashboard/*']);

/** The ws server's subprotocol choice: ours when offered, so the token never echoes back. */
export function selectWsProtocol(protocols: Set<string>): string | false {
  return protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false;
}

/**
 * Every route but the public ones needs a token: `viewer` for GET (and /ws/topic), `operator` for
 * anything else. /ws/topic also refuses a browser Origin that is neither the API's own nor allowed.
 */
export function registerAuth(app: FastifyInstance, deps: { authenticator: Authenticator; logger: Logger }): void {
  const log = deps.logger.child({ component: 'auth' });
  const allowedOrigins = new Set(deps.authenticator.allowedOrigins.map((origin) => origin.replace(/\/+$/, '')));

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && PUBLIC_ROUTES.has(route)) return;
    const websocket = route === '/ws/topic';
    if (websocket && !originAllowed(request, allowedOrigins)) {
      return deny(reply, 403, `origin ${request.headers.origin} may not open /ws/topic; allowed: this API's own origin${allowedOrigins.size > 0 ? `, ${[...allowedOrigins].join(', ')}` : ''}`);
    }
    const token = bearerOf(request, websocket);
    if (!token) return deny(reply, 401, 'authentication required: send Authorization: Bearer <token>' + (websocket ? ` or the subprotocols ${WS_PROTOCOL}, ${WS_BEARER_PREFIX}<token>` : ''));
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(token);
    } catch (error) {
      if (error instanceof AuthenticationError) return deny(reply, 401, error.message);
      if (error instanceof ForbiddenError) return deny(reply, 403, error.message);
      throw error;
    }
    const needed: Role = request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'operator';
    if (!roleAllows(principal.role, needed)) {
      return deny(reply, 403, `${principal.subject} has role ${principal.role}; ${request.method} ${route ?? request.url.split('?')[0]} needs ${needed}`);
    }
    request.principal = principal;
    if (needed === 'operator') log.info({ subject: principal.subject, via: principal.via, method: request.method, url: request.url }, 'operator request');
  });
}

function bearerOf(request: FastifyRequest, websocket: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || undefined;
  if (!websocket) return undefined;
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return protocols.find((p) => p.startsWith(WS_BEARER_PREFIX))?.slice(WS_BEARER_PREFIX.length) || undefined;
}

/** No Origin = not a browser (CLI, tests); a browser's must be ours or configured. */
function originAllowed(request: FastifyRequest, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function deny(reply: FastifyReply, status: 401 | 403, message: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(failure(message));
}

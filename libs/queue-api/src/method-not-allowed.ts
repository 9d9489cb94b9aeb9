import type { FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope';

type RouteEntry = { method: string; url: string };

/** A route pattern (`/queues/:queue_id`, `/dashboard/*`) as a matcher of request paths. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The methods some route answers on `path` (HEAD wherever GET: Fastify serves it), sorted; empty
 * when no route has that path. Patterns are compiled when first asked, after every route is known.
 */
export function allowedMethodsOf(routes: readonly RouteEntry[]): (path: string) => string[] {
  let compiled: Array<{ method: string; pattern: RegExp }> | undefined;
  return (path) => {
    compiled ??= routes.map((route) => ({ method: route.method, pattern: patternOf(route.url) }));
    const methods = new Set(compiled.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/** Fastify's not-found handler: 405 with `Allow` when the path exists for other methods, else 404; the envelope either way. */
export function notFoundOrMethodNotAllowed(allowedOn: (path: string) => string[]) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = clip(request.url.split('?')[0] ?? request.url);
    const allowed = allowedOn(path);
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', ')).send(failure(`${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
    }
    return reply.code(404).send(failure(`no route ${request.method} ${path}`));
  };
}

function clip(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

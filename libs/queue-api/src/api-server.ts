import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '@streamforge/logging';
import type { Registry } from '@streamforge/metrics';
import type { QueueService } from '@streamforge/orchestrator';
import {
  errorEnvelopeSchema, listQueuesQuerySchema, QUEUE_PAGE_DEFAULT_LIMIT, queueIdParamsSchema, queueStateSchema, startFlowRequestSchema, startQueueRequestSchema,
  startQueueResultSchema, stopQueueRequestSchema, successEnvelope,
} from '@streamforge/schemas';
import { registerAuth, selectWsProtocol, WS_BEARER_PREFIX, WS_PROTOCOL, type Authenticator } from './auth';
import { type CandleReader, type KnownCollectionCheck } from './candle-page';
import { registerCandleRoutes } from './candle-routes';
import { registerDashboard } from './dashboard-routes';
import { answerClientError, withClientErrors } from './client-errors';
import { failure, success } from './envelope';
import { registerHardening } from './hardening';
import { createErrorHandler } from './error-handler';
import { AUTHENTICATED, BODY_LIMIT_BYTES, ERROR_MEANINGS, errorResponses, JSON_BODY, MAX_PARAM_LENGTH } from './documented-errors';
import { allowedMethodsOf, notFoundOrMethodNotAllowed } from './method-not-allowed';
import { decodeQueueCursor, encodeQueueCursor } from './queue-cursor';
import { zodValidatorCompiler } from './request-validation';
import type { WsHub } from './ws-hub';
import { answerWsHandshakeErrorsWithEnvelope } from './ws-handshake-errors';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, for tests that compare it with the OpenAPI document. */
    routeTable: Array<{ method: string; url: string; hidden: boolean }>;
  }
}

export interface ApiServerDeps {
  service: QueueService;
  hub: WsHub;
  registry: Registry;
  logger: Logger;
  /** Each named check throws when its dependency is unreachable (e.g. kafka, store). */
  readinessChecks: Record<string, () => Promise<void>>;
  /** True once queue-manager finished starting (consumer joined, stops resumed). */
  isStarted: () => boolean;
  version: string;
  /** Serves GET /candles (the store the sink writes candles to), for collections `isKnownCollection` accepts. */
  candles?: { store: CandleReader; isKnownCollection: KnownCollectionCheck };
  /** The built dashboard, served at `/`. */
  dashboardDir?: string;
  /** Open /ws/topic connections at most (default 200). */
  maxWsConnections?: number;
  /** Who may call: every route but /health/*, /metrics and the dashboard shell needs a token. None = no authentication (loopback only; the app enforces it). */
  auth?: Authenticator;
  /** A banner atop the dashboard, e.g. for a simulator's platform. */
  dashboardBanner?: string;
}

const startErrors = errorResponses(...AUTHENTICATED, ...JSON_BODY, 404, 409, 429, 503);
const healthSchema = z.object({ status: z.enum(['ok', 'not ready', 'starting']), checks: z.record(z.string(), z.string()).optional() });
const READY_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_WS_CONNECTIONS = 200;

/** The queue-manager HTTP API: queues, health, metrics, OpenAPI (`/openapi.json`, `/docs`) and `/ws/topic`. */
export async function createApiServer(deps: ApiServerDeps) {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // A request id of ours (never a client's header), in every answer and log line, and in 5xx messages.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Fastify's own refusals (a path parameter too long, a malformed URL) carry the envelope and request id too.
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const message = tooLong ? `a path parameter is over ${MAX_PARAM_LENGTH} characters` : 'malformed URL: a percent-encoding that decodes to no character';
      void (reply as FastifyReply).code(tooLong ? 414 : 400).header('x-request-id', request.id).send(failure(message));
    },
    // Node's own refusals before a request exists (headers over its limit, a request too slow) carry the envelope too.
    clientErrorHandler: answerClientError,
    // Shutdown never waits for a client that holds a connection open (a refused WebSocket handshake, a stalled body).
    forceCloseConnections: true,
    // One line per response (the onResponse hook below) instead of Fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  const routeTable: Array<{ method: string; url: string; hidden: boolean }> = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // WebSocket routes are hidden from the generated paths but documented by hand (below).
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide) && !route.wsHandler;
    for (const method of methods) if (method !== 'HEAD') routeTable.push({ method, url: route.url, hidden });
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(createErrorHandler(deps.logger));
  app.setNotFoundHandler(notFoundOrMethodNotAllowed(allowedMethodsOf(routeTable)));
  app.addHook('onResponse', async (request, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : request.method === 'GET' && reply.statusCode < 400 ? 'debug' : 'info';
    request.log[level]({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http');
  });

  // Before any hook that may answer early: its onRequest hook marks an upgrade so that its onResponse
  // destroys the socket; a refusal answered ahead of it left the socket open (and shutdown waiting).
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024, handleProtocols: selectWsProtocol } });
  answerWsHandshakeErrorsWithEnvelope(app.websocketServer);
  registerHardening(app, { maxWsConnections: deps.maxWsConnections ?? DEFAULT_MAX_WS_CONNECTIONS, wsConnections: () => deps.hub.size });
  if (deps.auth) registerAuth(app, { authenticator: deps.auth, logger: deps.logger });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      components: { schemas: { ErrorEnvelope: z.toJSONSchema(errorEnvelopeSchema) as Record<string, unknown> }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an OIDC access token (JWT) or a static API token; viewer for GET, operator for start/stop' } } },
      security: [{ bearer: [] }],
      info: {
        title: 'StreamForge queue-manager', version: deps.version,
        description:
          'Start, follow and stop StreamForge queues (workflows). Every non-2xx answer is the error envelope (components.schemas.ErrorEnvelope). ' +
          'A method a path does not list answers 405 with Allow (HEAD is served wherever GET is); an unknown path answers 404. ' +
          'x-server-rules on a field names what the server checks beyond its schema (a 400 names the field).',
      },
      tags: [{ name: 'queues' }, { name: 'candles' }, { name: 'health' }, { name: 'live' }],
      // @fastify/websocket hides WebSocket routes from the generated paths: document ours by hand.
      paths: {
        '/ws/topic': {
          get: {
            tags: ['live'],
            summary: 'WebSocket: every telemetry event and queue-state change',
            description:
              `Upgrade to a WebSocket. Authenticate with the Authorization header, or (browsers) the subprotocols "${WS_PROTOCOL}, ${WS_BEARER_PREFIX}<token>"; the server selects ${WS_PROTOCOL}. A browser Origin must be the API's own or configured. Each message is JSON {type: "event", data: <telemetry event>} or {type: "queue", data: <queue state>} (libs/schemas/json-schema/ws-message.schema.json). The server pings every heartbeat; a client that does not answer, or falls too far behind, is dropped.`,
            responses: {
              '101': { description: 'Switching Protocols' },
              ...Object.fromEntries(([400, 401, 403, 426, 503] as const).map((status) => [String(status), { description: ERROR_MEANINGS[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } }])),
            },
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => ('openapiObject' in document ? withClientErrors(document.openapiObject) : document.swaggerObject),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { tags: ['health'], summary: 'This OpenAPI document', response: { 200: z.record(z.string(), z.unknown()), ...errorResponses(...AUTHENTICATED) } } }, async () => app.swagger() as unknown as Record<string, unknown>);

  app.post('/queues/start', {
    schema: { tags: ['queues'], summary: 'Start a queue', body: startQueueRequestSchema, response: { 201: successEnvelope(startQueueResultSchema), ...startErrors } },
  }, async (request, reply) => {
    const result = await deps.service.start(request.body);
    return reply.code(201).send(success('Queue started', result));
  });

  app.post('/queues/start-test-flow', {
    schema: { tags: ['queues'], summary: 'Start a named flow from the flows file', body: startFlowRequestSchema, response: { 201: successEnvelope(startQueueResultSchema), ...startErrors } },
  }, async (request, reply) => {
    const result = await deps.service.startFlow(request.body);
    return reply.code(201).send(success(`Flow ${request.body.flow_name} started`, result));
  });

  const listRoute = {
    schema: {
      tags: ['queues'],
      summary: 'One page of queues, newest first',
      description: 'Pass next_cursor as cursor for the next page (null on the last). Filter with status (comma-separated) and symbol.',
      querystring: listQueuesQuerySchema,
      response: { 200: successEnvelope(z.array(queueStateSchema)).extend({ next_cursor: z.string().nullable().describe('cursor of the next page; null on the last') }), ...errorResponses(...AUTHENTICATED, 400) },
    },
  };
  const list = async (request: { query: z.infer<typeof listQueuesQuerySchema> }) => {
    const { limit = QUEUE_PAGE_DEFAULT_LIMIT, cursor, status, symbol } = request.query;
    const page = await deps.service.list({ limit, after: cursor ? decodeQueueCursor(cursor) : undefined, statuses: status, symbol });
    return { ...success(`${page.queues.length} queue(s)${page.next ? '; more with next_cursor' : ''}`, page.queues), next_cursor: page.next ? encodeQueueCursor(page.next) : null };
  };
  app.get('/queues', listRoute, list);
  app.get('/queues/list', listRoute, list);

  app.get('/queues/:queue_id', {
    schema: { tags: ['queues'], summary: 'One queue', params: queueIdParamsSchema, response: { 200: successEnvelope(queueStateSchema), ...errorResponses(...AUTHENTICATED, 400, 404, 414) } },
  }, async (request) => success('Queue found', await deps.service.get(request.params.queue_id)));

  app.post('/queues/stop', {
    schema: {
      tags: ['queues'],
      summary: 'Stop a queue',
      body: stopQueueRequestSchema,
      response: { 200: successEnvelope(queueStateSchema), ...errorResponses(...AUTHENTICATED, ...JSON_BODY, 404, 409) },
    },
  }, async (request) => success('Stop requested', await deps.service.stop(request.body.queue_id)));

  app.get('/health/live', { schema: { tags: ['health'], summary: 'Liveness', response: { 200: healthSchema } } }, async () => ({ status: 'ok' as const }));

  app.get('/health/startup', { schema: { tags: ['health'], summary: 'Startup finished', response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) =>
    deps.isStarted() ? { status: 'ok' as const } : reply.code(503).send({ status: 'starting' }),
  );

  app.get('/health/ready', { schema: { tags: ['health'], summary: 'Kafka and the store reachable', response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all(
      Object.entries(deps.readinessChecks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), READY_TIMEOUT_MS, `${name} did not answer within ${READY_TIMEOUT_MS} ms`);
          checks[name] = 'ok';
        } catch (error) {
          // Names and states only: a raw error can carry a store URL, path or user name.
          checks[name] = error instanceof ReadinessTimeout ? 'timeout' : 'failing';
          deps.logger.warn({ check: name, err: error }, 'readiness check failed');
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'not ready', checks });
  });

  app.get('/metrics', {
    schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)', response: { 200: { content: { [deps.registry.contentType]: { schema: z.string() } } }, ...errorResponses(500) } },
  }, async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });

  app.route({
    method: 'GET', url: '/ws/topic', schema: { hide: true },
    // A plain GET (no Upgrade) is told how to connect instead of a bare 404.
    handler: (_request, reply) => reply.code(426).header('upgrade', 'websocket').send(failure(`/ws/topic only upgrades to a WebSocket: send Upgrade: websocket (subprotocol ${WS_PROTOCOL})`)),
    wsHandler: (socket) => deps.hub.add(socket),
  });

  if (deps.candles) registerCandleRoutes(app, deps.candles);
  if (deps.dashboardDir) await registerDashboard(app, { dir: deps.dashboardDir, logger: deps.logger, banner: deps.dashboardBanner });

  await app.ready();
  return app;
}

export type ApiServer = Awaited<ReturnType<typeof createApiServer>>;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ReadinessTimeout(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class ReadinessTimeout extends Error {
  override name = 'ReadinessTimeout';
}

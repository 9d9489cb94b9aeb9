import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, kafkaConnectionSettings } from '@streamforge/kafka';
import { createLocalLauncher } from '@streamforge/launchers';
import { createLogger } from '@streamforge/logging';
import { createMetricsRegistry } from '@streamforge/metrics';
import { createCommandPublisher, createQueueManagerMetrics, newQueueState, planStart, QueueService, QueueStateRepository } from '@streamforge/orchestrator';
import { MemoryDocumentStore } from '@streamforge/orchestrator/testing';
import { testBootstrapServers } from '@streamforge/kafka/testing';
import type { Producer } from 'kafkajs';
import type { QueueState } from '@streamforge/schemas';
import { createApiServer, type ApiServer } from './api-server';
import { WsHub } from './ws-hub';

const logger = createLogger({ service: 'test', level: 'silent' });
let app: ApiServer;
let hub: WsHub;
let service: QueueService;

beforeAll(async () => {
  const registry = createMetricsRegistry();
  const repository = new QueueStateRepository(new MemoryDocumentStore(), logger);
  await repository.init();
  const metrics = createQueueManagerMetrics(registry, { liveQueues: () => repository.listLive() });
  // Validation never reaches Kafka or a worker: these requests are refused before anything starts.
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers() }), { clientId: 'api-test', logger });
  const neverUsed = {} as Producer;
  service = new QueueService(
    { dataTopicPartitions: 1, stopRepeatMs: 1000, stopGraceMs: 5000, exitEventGraceMs: 1000, maxRunningQueues: 20, maxConcurrentStarts: 4, startKafkaTimeoutMs: 5000 },
    {
      kafka, repository, logger, metrics,
      commands: createCommandPublisher({ topic: 'queue-control' }, { producer: neverUsed, metrics }),
      launcher: createLocalLauncher({ bundleRoot: '/nonexistent', backoffLimit: 2, stopGraceMs: 1000, baseEnv: {} }, { logger }),
      flows: { dummy_flow: { description: '', type: 'dummy', targets: [{ target: 'dummy-service', args: [] }] } },
    },
  );
  hub = new WsHub({ heartbeatMs: 30_000, maxBufferedBytes: 1 << 20 }, { logger, metrics });
  app = await createApiServer({ service, hub, registry, logger, readinessChecks: { store: async () => undefined }, isStarted: () => true, version: '0.0.0-test', candles: { store: new MemoryDocumentStore(), isKnownCollection: async () => true } });
});
afterAll(async () => {
  hub.close();
  service.close();
  await app.close();
});

const post = (url: string, payload?: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
const range = '2024-08-01:2024-08-01';

describe('queue-manager API validation', () => {
  it('400 on a bad symbol, naming the field and the value', async () => {
    const res = await post('/queues/start', { symbol: 'btc-usdt', type: 'api_candles_1m', time_range: range });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      status: 'error',
      message: 'invalid request body: symbol: uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT) (got "btc-usdt")',
      data: { errors: [{ path: 'symbol', message: 'uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT) (got "btc-usdt")' }] },
    });
  });

  it('400 on an inverted or malformed range, with every bad field listed', async () => {
    const inverted = await post('/queues/start', { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-02:2024-08-01' });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().data.errors).toEqual([{ path: 'time_range', message: 'inverted: the start 2024-08-02 is after the end 2024-08-01 (got "2024-08-02:2024-08-01")' }]);
    const both = await post('/queues/start', { symbol: 'b', type: 'api_candles_1m', time_range: 'last week' });
    expect(both.json().data.errors.map((e: { path: string }) => e.path)).toEqual(['symbol', 'time_range']);
    expect(both.json().data.errors[1].message).toMatch(/^expected YYYY-MM-DD:YYYY-MM-DD .*\(got "last week"\)$/);
  });

  it('400 on a live (open-ended) range without its live worker, or a live worker with a bounded range, naming the field', async () => {
    const noLive = await post('/queues/start', { symbol: 'BTCUSDT', time_range: '2024-08-01:', targets: [{ target: 'loader-api-candles', type: 'api_candles_1m' }, { target: 'arango-candles', type: 'api_candles_1m' }] });
    expect(noLive.statusCode).toBe(400);
    expect(noLive.json()).toMatchObject({ status: 'error', data: { errors: [{ path: 'time_range', message: expect.stringMatching(/^an open-ended range follows the market and needs a loader-ws-candles target/) }] } });
    const bounded = await post('/queues/start', { symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'loader-ws-candles', type: 'api_candles_1m' }] });
    expect(bounded.json().data.errors).toEqual([{ path: 'targets.0.target', message: `loader-ws-candles follows the market: time_range must be open-ended, e.g. 2024-08-01: (got "${range}")` }]);
    const badStart = await post('/queues/start', { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-02-30:' });
    expect(badStart.json().data.errors).toEqual([{ path: 'time_range', message: expect.stringMatching(/^2024-02-30 is not a calendar date; expected .*open-ended <start>: for a live load/) }]);
  });

  it('400 on an unknown target, listing the known ones', async () => {
    const res = await post('/queues/start', { symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'loader', type: 'api_candles_1m' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().data).toEqual({
      errors: [{ path: 'targets.0.target', message: expect.stringContaining('unknown target (got "loader"); known targets: loader-api-candles, loader-ws-candles, arango-candles, dummy-service') }],
      known: ['loader-api-candles', 'loader-ws-candles', 'arango-candles', 'dummy-service', 'loader-producer', 'arango-connector'],
    });
  });

  it('400 on an unknown flow, listing the known ones', async () => {
    const res = await post('/queues/start-test-flow', { flow_name: 'nope', symbol: 'BTCUSDT', time_range: range });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 'error', data: { known: ['dummy_flow'], errors: [{ path: 'flow_name', message: 'unknown flow (got "nope"); known flows: dummy_flow' }] } });
  });

  it('400 on a bad extra_params.indicators, naming the entry', async () => {
    const res = await post('/queues/start-test-flow', { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { indicators: 'EMA_21,SMA_5' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().data.errors).toEqual([{ path: 'extra_params.indicators', message: expect.stringMatching(/^entry 2: "SMA_5" is not an indicator; expected EMA_<n> .* \(or "none"\) \(got "EMA_21,SMA_5"\)$/) }]);
  });

  it('400 on malformed JSON and on a missing queue_id for stop', async () => {
    const bad = await app.inject({ method: 'POST', url: '/queues/start', headers: { 'content-type': 'application/json' }, payload: '{"symbol":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().status).toBe('error');
    const stop = await post('/queues/stop', {});
    expect(stop.statusCode).toBe(400);
    expect(stop.json().data.errors).toEqual([{ path: 'queue_id', message: expect.stringMatching(/expected string/) }]);
  });

  it('404 on an unknown queue, for get and stop', async () => {
    const get = await app.inject({ method: 'GET', url: '/queues/wf-nope' });
    expect(get.statusCode).toBe(404);
    expect(get.json()).toEqual({ status: 'error', message: 'no queue wf-nope', data: null });
    expect((await post('/queues/stop', { queue_id: 'wf-nope' })).statusCode).toBe(404);
  });

  it('500 "internal error" with the request id when a worker bundle is missing (the path only in the log), creating nothing', async () => {
    const res = await post('/queues/start-test-flow', { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: range });
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toBe(`internal error (request ${res.headers['x-request-id']})`);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await app.inject({ method: 'GET', url: '/queues' })).json()).toEqual({ status: 'success', message: '0 queue(s)', data: [], next_cursor: null });
  });

  it('/health/ready names each check and its state, never the raw error', async () => {
    const failing = await createApiServer({
      service, hub, registry: createMetricsRegistry(), logger, isStarted: () => true, version: '0.0.0-test',
      readinessChecks: { kafka: async () => undefined, store: async () => Promise.reject(new Error('connect ECONNREFUSED https://root:secret@arangodb:8529')) },
    });
    const res = await failing.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { kafka: 'ok', store: 'failing' } });
    await failing.close();
  });

  it('answers health and metrics', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ok', checks: { store: 'ok' } });
    expect((await app.inject({ method: 'GET', url: '/health/startup' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/^streamforge_queue_manager_queues\{status="loading"\} 0$/m);
    expect((await app.inject({ method: 'GET', url: '/nope' })).json()).toEqual({ status: 'error', message: 'no route GET /nope', data: null });
  });
});

/** A second API server over `repository`, for tests that need queues in the store or other limits. */
async function serverWith(repository: QueueStateRepository, limits: { maxRunningQueues?: number } = {}) {
  const registry = createMetricsRegistry();
  const metrics = createQueueManagerMetrics(registry);
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers() }), { clientId: 'api-test', logger });
  const other = new QueueService(
    { dataTopicPartitions: 1, stopRepeatMs: 1000, stopGraceMs: 5000, exitEventGraceMs: 1000, maxRunningQueues: limits.maxRunningQueues ?? 20, maxConcurrentStarts: 4, startKafkaTimeoutMs: 5000 },
    {
      kafka, repository, logger, metrics, flows: {},
      commands: createCommandPublisher({ topic: 'queue-control' }, { producer: {} as Producer, metrics }),
      launcher: createLocalLauncher({ bundleRoot: '/nonexistent', backoffLimit: 2, stopGraceMs: 1000, baseEnv: {} }, { logger }),
    },
  );
  const server = await createApiServer({ service: other, hub, registry, logger, readinessChecks: {}, isStarted: () => true, version: '0.0.0-test' });
  return { server, close: async () => { other.close(); await server.close(); } };
}

async function repositoryWith(...symbols: string[]): Promise<{ repository: QueueStateRepository; queueIds: string[] }> {
  const repository = new QueueStateRepository(new MemoryDocumentStore(), logger);
  await repository.init();
  const queueIds: string[] = [];
  for (const [index, symbol] of symbols.entries()) {
    const plan = planStart({ symbol, type: 'api_candles_1m', time_range: range });
    await repository.create(newQueueState(plan, 1_722_500_000 + index));
    queueIds.push(plan.queueId);
  }
  return { repository, queueIds };
}

describe('start admission', () => {
  it('429 with Retry-After and a message naming the limit when MAX_RUNNING_QUEUES is reached', async () => {
    const { repository } = await repositoryWith('BTCUSDT');
    const { server, close } = await serverWith(repository, { maxRunningQueues: 1 });
    try {
      const res = await server.inject({ method: 'POST', url: '/queues/start', payload: { symbol: 'ETHUSDT', type: 'api_candles_1m', time_range: range } });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.json()).toEqual({ status: 'error', message: '1 queue(s) running or starting, the most MAX_RUNNING_QUEUES=1 allows; stop one or wait until one ends', data: null });
    } finally {
      await close();
    }
  });
});

describe('GET /queues paging', () => {
  it('pages newest first with limit and next_cursor, filters by status and symbol, and refuses a bad cursor or status by name', async () => {
    const { repository, queueIds } = await repositoryWith('AAAUSDT', 'BBBUSDT', 'AAAUSDT');
    const { server, close } = await serverWith(repository);
    const get = async (query: string) => (await server.inject({ method: 'GET', url: `/queues${query}` })).json();
    try {
      const first = await get('?limit=2');
      expect(first.data.map((q: QueueState) => q.queue_id)).toEqual([queueIds[2], queueIds[1]]);
      expect(first.message).toBe('2 queue(s); more with next_cursor');
      const second = await get(`?limit=2&cursor=${first.next_cursor}`);
      expect(second).toEqual({ status: 'success', message: '1 queue(s)', data: [expect.objectContaining({ queue_id: queueIds[0] })], next_cursor: null });
      expect((await get('?symbol=AAAUSDT&status=pending,loading')).data.map((q: QueueState) => q.queue_id)).toEqual([queueIds[2], queueIds[0]]);
      expect((await get('?status=finished')).data).toEqual([]);
      const badCursor = await get('?cursor=abc');
      expect(badCursor.data.errors).toEqual([{ path: 'cursor', message: 'not a cursor this API issued; pass the next_cursor of the previous page (got "abc")' }]);
      const badStatus = await get('?status=running&limit=0');
      expect(badStatus.data.errors.map((e: { path: string }) => e.path)).toEqual(['limit', 'status']);
    } finally {
      await close();
    }
  });
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI document and lists every route', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    const result = validateOpenApi(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    const listed = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    const routes = app.routeTable.filter((r) => !r.hidden).map((r) => `${r.method} ${r.url.replace(/:([a-z_]+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect(listed.sort()).toEqual([...new Set(routes)].sort());
    expect(routes).toEqual(expect.arrayContaining(['POST /queues/start', 'POST /queues/start-test-flow', 'GET /queues', 'GET /queues/list', 'GET /queues/{queue_id}', 'POST /queues/stop', 'GET /health/live', 'GET /health/ready', 'GET /health/startup', 'GET /metrics', 'GET /openapi.json', 'GET /ws/topic', 'GET /candles']));
    // The request schemas come from libs/schemas: the documented body names the symbol rule.
    expect(JSON.stringify(document.paths['/queues/start'].post.requestBody)).toContain('uppercase letters and digits');
  });

  it('documents every answer with its content type: the envelope for each error, Prometheus text for /metrics, the WebSocket refusals', async () => {
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status === '101') continue;
          expect({ at: `${method} ${path} ${status}`, types: Object.keys(response.content ?? {}) }).toEqual({ at: `${method} ${path} ${status}`, types: [path === '/metrics' && status === '200' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json'] });
          if (Number(status) >= 400 && !path.startsWith('/health/')) expect(JSON.stringify(response.content)).toMatch(/"status":\{"type":"string","enum":\["error"\]\}|ErrorEnvelope/);
        }
      }
    }
    expect(Object.keys(document.paths['/ws/topic']?.get?.responses ?? {}).sort()).toEqual(['101', '400', '401', '403', '408', '426', '431', '503']);
    expect(Object.keys(document.paths['/queues/{queue_id}']?.get?.responses ?? {})).toContain('414');
    expect(Object.keys(document.paths['/queues/start']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['413', '415', '429', '503']));
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('serves the interactive docs at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger-ui/i);
  });
});

describe('answers outside the routes: the envelope every time', () => {
  it('405 with Allow for a method a documented path does not list; 404 for an unknown path', async () => {
    for (const [method, url, allow] of [['PUT', '/queues/stop', 'GET, HEAD, POST'], ['DELETE', '/queues', 'GET, HEAD'], ['OPTIONS', '/metrics', 'GET, HEAD'], ['POST', '/queues/wf-x', 'GET, HEAD']] as const) {
      const res = await app.inject({ method, url });
      expect({ method, url, status: res.statusCode, allow: res.headers.allow }).toEqual({ method, url, status: 405, allow });
      expect(res.json()).toEqual({ status: 'error', message: `${method} is not allowed on ${url}; allowed: ${allow}`, data: null });
    }
    const unknown = await app.inject({ method: 'GET', url: '/queues/wf-x/extra' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers.allow).toBeUndefined();
    expect(unknown.json()).toEqual({ status: 'error', message: 'no route GET /queues/wf-x/extra', data: null });
  });

  it("414 from Fastify's parameter-length check and 400 for its malformed-URL check, as the envelope", async () => {
    const res = await app.inject({ method: 'GET', url: `/queues/${'a'.repeat(601)}` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ status: 'error', message: 'a path parameter is over 600 characters', data: null });
    const badUrl = await app.inject({ method: 'GET', url: '/queues/%E0%A4%A' });
    expect({ status: badUrl.statusCode, body: badUrl.json() }).toEqual({ status: 400, body: { status: 'error', message: 'malformed URL: a percent-encoding that decodes to no character', data: null } });
    // Within it, the schema's own bound answers: 400 naming the field.
    const overSchema = await app.inject({ method: 'GET', url: `/queues/${'a'.repeat(201)}` });
    expect(overSchema.statusCode).toBe(400);
    expect(overSchema.json().data.errors[0].path).toBe('queue_id');
  });

  it('400 as the envelope for a malformed WebSocket handshake (ws itself would answer text/html)', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(address).port), '127.0.0.1', () =>
        socket.write('GET /ws/topic HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not-a-key\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ status: 'error', message: 'WebSocket handshake refused: Missing or invalid Sec-WebSocket-Key header', data: null });
  });

  it("431 as the envelope for headers over Node's limit (Fastify's own body before), and documented on every operation", async () => {
    const address = app.server.listening ? `http://127.0.0.1:${(app.server.address() as { port: number }).port}` : await app.listen({ port: 0, host: '127.0.0.1' });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(address).port), '127.0.0.1', () => socket.write(`GET /queues HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ status: 'error', message: 'request headers over the size limit', data: null });
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ at: `${method} ${path}`, statuses: Object.keys(operation.responses) })));
    expect(operations.length).toBeGreaterThan(8);
    for (const { at, statuses } of operations) expect({ at, has: ['408', '431'].every((status) => statuses.includes(status)) }).toEqual({ at, has: true });
  });

  it('426 with Upgrade: websocket for a plain GET of /ws/topic', async () => {
    const res = await app.inject({ method: 'GET', url: '/ws/topic' });
    expect(res.statusCode).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    expect(res.json()).toMatchObject({ status: 'error', message: expect.stringMatching(/^\/ws\/topic only upgrades to a WebSocket/) });
  });
});

/**
 * @seriousme/openapi-schema-validator is ESM-only (and reads its schemas via import.meta), which
 * jest's CommonJS runtime cannot load: run its own CLI on the document instead.
 */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
  const run = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
  return JSON.parse(run.stdout) as { valid: boolean; errors?: unknown };
}

import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import WebSocket from 'ws';
import { createLogger } from '@streamforge/logging';
import { createErrorHandler } from './error-handler';
import { jsonDepth, MAX_JSON_DEPTH, registerHardening } from './hardening';

let app: FastifyInstance;
let base: string;
let open = 0;

beforeAll(async () => {
  app = Fastify({ genReqId: () => 'req-fixed' });
  app.setErrorHandler(createErrorHandler(createLogger({ service: 'test', level: 'silent' })));
  await app.register(fastifyWebsocket);
  registerHardening(app, { maxWsConnections: 1, wsConnections: () => open });
  app.post('/queues/stop', async (request) => ({ status: 'success', message: 'ok', data: request.body }));
  app.get('/boom', async () => {
    throw new Error('connect ECONNREFUSED http://root:secret@arangodb:8529 (/var/lib/streamforge/db)');
  });
  app.get('/ws/topic', { websocket: true }, (socket) => {
    open += 1;
    socket.on('close', () => (open -= 1));
    socket.send('hello');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

describe('web surface', () => {
  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'queue_id=wf-1'],
    ['text/plain', 'text/plain', '{"queue_id":"wf-1"}'],
    ['no body', undefined, undefined],
  ])('refuses a POST with %s (what a foreign page can send without a preflight): 415', async (_name, type, payload) => {
    const res = await app.inject({ method: 'POST', url: '/queues/stop', headers: type ? { 'content-type': type } : {}, ...(payload !== undefined ? { payload } : {}) });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ status: 'error', message: expect.stringMatching(/^\/queues\/stop takes a JSON body: send Content-Type: application\/json/), data: null });
  });

  it('takes JSON, and refuses deeply nested JSON with a 400 instead of a stack overflow', async () => {
    expect((await app.inject({ method: 'POST', url: '/queues/stop', payload: { queue_id: 'wf-1' } })).json().data).toEqual({ queue_id: 'wf-1' });
    const deep = `{"queue_id":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await app.inject({ method: 'POST', url: '/queues/stop', headers: { 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe(`invalid request body: (root): JSON nested 20001 levels deep; at most ${MAX_JSON_DEPTH}`);
    expect(jsonDepth('{"a":"[[[[\\"[["}')).toBe(1);
  });

  it('answers a 5xx with "internal error" and the request id only, never the details', async () => {
    const res = await app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-request-id']).toBe('req-fixed');
    expect(res.json()).toEqual({ status: 'error', message: 'internal error (request req-fixed)', data: null });
  });

  it('caps /ws/topic connections: past the cap the handshake gets 503', async () => {
    const connect = () =>
      new Promise<{ status: number; socket?: WebSocket }>((resolve, reject) => {
        const socket = new WebSocket(`ws://${base}/ws/topic`);
        socket.on('unexpected-response', (request, response) => {
          resolve({ status: response.statusCode ?? 0 });
          request.destroy();
        });
        socket.on('message', () => resolve({ status: 101, socket }));
        socket.on('error', reject);
      });
    const first = await connect();
    expect(first.status).toBe(101);
    expect((await connect()).status).toBe(503);
    first.socket?.close();
  });
});

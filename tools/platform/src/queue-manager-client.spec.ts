import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { createLogger } from '@streamforge/logging';
import { createAuthenticator, registerAuth, selectWsProtocol } from '@streamforge/queue-api';
import { writeApiTokenFile } from '@streamforge/queue-api/testing';
import { QueueManagerClient } from './queue-manager-client';

const { path, tokens } = writeApiTokenFile(['operator']);
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  app = Fastify();
  await app.register(fastifyWebsocket, { options: { handleProtocols: selectWsProtocol } });
  registerAuth(app, { authenticator: createAuthenticator({ apiTokensFile: path, allowedOrigins: [] }), logger: createLogger({ service: 'test', level: 'silent' }) });
  app.get('/queues/:queue_id', async (request) => ({ status: 'success', message: 'found', data: { queue_id: (request.params as { queue_id: string }).queue_id } }));
  app.get('/ws/topic', { websocket: true }, (socket) => socket.send(JSON.stringify({ type: 'queue', data: { queue_id: 'wf-ws' } })));
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

describe('QueueManagerClient against a queue-manager with authentication on', () => {
  it('sends the configured token on REST calls, and without one reports the 401', async () => {
    await expect(new QueueManagerClient(url, tokens.operator).getQueue('wf-1')).resolves.toEqual({ queue_id: 'wf-1' });
    await expect(new QueueManagerClient(url, undefined).getQueue('wf-1')).rejects.toThrow(/^GET \/queues\/wf-1 → 401: authentication required/);
  });

  it('opens /ws/topic with the token (the socket re-reads the state once open)', async () => {
    const client = new QueueManagerClient(url, tokens.operator);
    const seen = await new Promise<string>((resolve) => {
      const stop = client.watch('wf-ws', { onState: (state) => {
        stop();
        resolve(state.queue_id);
      } });
    });
    expect(seen).toBe('wf-ws');
  });
});

import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import WebSocket from 'ws';
import { createLogger } from '@streamforge/logging';
import { OidcStandIn, writeApiTokenFile } from '../testing';
import { registerAuth, selectWsProtocol } from './auth-plugin';
import { createAuthenticator } from './authenticator';

const logger = createLogger({ service: 'test', level: 'silent' });
let oidc: OidcStandIn;
let app: FastifyInstance;
let base: string;
const { path: tokensFile, tokens } = writeApiTokenFile();

beforeAll(async () => {
  oidc = await new OidcStandIn().start();
  const authenticator = createAuthenticator({
    apiTokensFile: tokensFile,
    allowedOrigins: ['https://dashboard.example'],
    // jwksUrl unset: found through the issuer's discovery document, as with Keycloak.
    oidc: { issuer: oidc.issuer, audience: oidc.audience, rolesClaim: 'realm_access.roles', viewerRole: 'streamforge-viewer', operatorRole: 'streamforge-operator', jwksCooldownMs: 0 },
  });
  app = Fastify();
  await app.register(fastifyWebsocket, { options: { handleProtocols: selectWsProtocol } });
  registerAuth(app, { authenticator, logger });
  app.get('/queues', async () => ({ status: 'success', message: 'who', data: null }));
  app.post('/queues/stop', async (request) => ({ status: 'success', message: `stopped by ${request.principal?.subject}`, data: null }));
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => 'metrics');
  app.get('/ws/topic', { websocket: true }, (socket) => socket.send('hello'));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await oidc.close();
});

const get = (token?: string) => app.inject({ method: 'GET', url: '/queues', headers: token ? { authorization: `Bearer ${token}` } : {} });
const stop = (token: string) => app.inject({ method: 'POST', url: '/queues/stop', headers: { authorization: `Bearer ${token}` }, payload: {} });

describe('authentication on every route but the public ones', () => {
  it('401 with the error envelope and WWW-Authenticate without a token; probes and /metrics stay open', async () => {
    const res = await get();
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({ status: 'error', message: expect.stringMatching(/^authentication required/), data: null });
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    expect((await app.inject('/nowhere')).statusCode).toBe(401);
  });

  it('static API tokens carry their role: a viewer reads, a viewer starting or stopping is 403, an operator may', async () => {
    expect((await get(tokens.viewer)).statusCode).toBe(200);
    const refused = await stop(tokens.viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe('test-viewer has role viewer; POST /queues/stop needs operator');
    expect((await stop(tokens.operator)).json().message).toBe('stopped by test-operator');
    expect((await get(`${tokens.operator}x`)).json().message).toBe('unknown API token');
  });

  it('OIDC: a valid token is accepted with the role of its claim', async () => {
    expect((await get(await oidc.sign())).statusCode).toBe(200);
    expect((await stop(await oidc.sign({ roles: ['streamforge-viewer'] }))).statusCode).toBe(403);
    expect((await stop(await oidc.sign({ roles: ['streamforge-operator'], sub: 'bob' }))).json().message).toBe('stopped by bob');
    const noRole = await get(await oidc.sign({ roles: ['other-app'] }));
    expect(noRole.statusCode).toBe(403);
    expect(noRole.json().message).toBe("the token's realm_access.roles holds neither streamforge-viewer nor streamforge-operator");
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example/realms/streamforge' }, 'invalid bearer token: claim iss does not match'],
    ['another audience', { aud: 'other-client' }, 'invalid bearer token: claim aud does not match'],
    ['an expired token', { expiresIn: -120 }, 'invalid bearer token: expired'],
    ['a token not valid yet', { notBefore: 600 }, 'invalid bearer token: claim nbf does not match'],
    ['a key the issuer does not publish', { unpublishedKey: true }, 'invalid bearer token: signed by a key the issuer does not publish'],
  ])('OIDC: 401 for %s', async (_name, options, message) => {
    const res = await get(await oidc.sign(options));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ status: 'error', message, data: null });
  });

  it('OIDC: the JWKS is cached, and fetched again for a kid it does not know (key rotation)', async () => {
    await get(await oidc.sign());
    const before = oidc.jwksRequests;
    await get(await oidc.sign());
    expect(oidc.jwksRequests).toBe(before);
    await oidc.rotate();
    expect((await get(await oidc.sign())).statusCode).toBe(200);
    expect(oidc.jwksRequests).toBe(before + 1);
  });
});

describe('/ws/topic', () => {
  const open = (options: { protocols?: string[]; origin?: string; authorization?: string }) =>
    new Promise<{ status: number; protocol?: string; first?: string }>((resolve, reject) => {
      const socket = new WebSocket(`ws://${base}/ws/topic`, options.protocols ?? [], {
        ...(options.origin ? { origin: options.origin } : {}),
        headers: options.authorization ? { authorization: options.authorization } : {},
      });
      socket.on('unexpected-response', (request, response) => {
          resolve({ status: response.statusCode ?? 0 });
          request.destroy();
        });
      socket.on('message', (data) => {
        resolve({ status: 101, protocol: socket.protocol, first: String(data) });
        socket.close();
      });
      socket.on('error', reject);
    });

  it('accepts the token as a subprotocol and selects streamforge.v1 (never echoes the token)', async () => {
    expect(await open({ protocols: ['streamforge.v1', `bearer.${tokens.viewer}`], origin: `http://${base}` })).toEqual({ status: 101, protocol: 'streamforge.v1', first: 'hello' });
    expect(await open({ authorization: `Bearer ${await oidc.sign()}` })).toMatchObject({ status: 101 });
    expect(await open({ protocols: ['streamforge.v1', `bearer.${tokens.viewer}`], origin: 'https://dashboard.example' })).toMatchObject({ status: 101 });
  });

  it('refuses a handshake without a token (401) and from a foreign origin (403)', async () => {
    expect(await open({ protocols: ['streamforge.v1'] })).toEqual({ status: 401 });
    expect(await open({ protocols: ['streamforge.v1', `bearer.${tokens.viewer}`], origin: 'https://evil.example' })).toEqual({ status: 403 });
  });
});

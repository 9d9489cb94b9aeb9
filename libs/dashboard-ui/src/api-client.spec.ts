import { ApiError, createApiClient } from './api-client';

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchImpl = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

describe('api client', () => {
  it('unwraps the success envelope and builds the candles query', async () => {
    const fake = fakeFetch(200, { status: 'success', message: 'ok', data: { candles: [], next_from: null } });
    const client = createApiClient({ baseUrl: 'http://qm', fetch: fake.fetchImpl });
    await expect(client.candlePage({ collection: 'btc_1m', from: 5, limit: 10 })).resolves.toEqual({ candles: [], next_from: null });
    expect(fake.calls[0].url).toBe('http://qm/candles?collection=btc_1m&from=5&limit=10');
  });

  it('posts JSON bodies', async () => {
    const fake = fakeFetch(200, { status: 'success', message: 'stopping', data: null });
    await createApiClient({ fetch: fake.fetchImpl }).stopQueue('wf-1');
    expect(fake.calls[0]).toMatchObject({ url: '/queues/stop', init: { method: 'POST', body: '{"queue_id":"wf-1"}' } });
  });

  it('turns an error envelope into an ApiError with each bad field and the known names', async () => {
    const fake = fakeFetch(400, { status: 'error', message: 'invalid request', data: { errors: [{ path: 'symbol', message: 'uppercase letters' }], known: ['dummy_flow'] } });
    const error = await createApiClient({ fetch: fake.fetchImpl }).startFlow({ flow_name: 'x', symbol: 'btc', time_range: '2024-08-01:2024-08-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'invalid request', fieldErrors: [{ path: 'symbol', message: 'uppercase letters' }], known: ['dummy_flow'] });
  });

  it('reports a non-JSON answer and an unreachable server plainly', async () => {
    await expect(createApiClient({ fetch: fakeFetch(502, '<html>bad gateway</html>').fetchImpl }).listQueues()).rejects.toMatchObject({ status: 502, message: 'GET /queues answered HTTP 502' });
    const down = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(createApiClient({ fetch: down }).listQueues()).rejects.toMatchObject({ status: 0, message: 'queue-manager unreachable: fetch failed' });
  });

  it('sends the bearer token when there is one, and reports a 401 so the page can ask for one', async () => {
    const fake = fakeFetch(401, { status: 'error', message: 'invalid bearer token: expired', data: null });
    const refused: string[] = [];
    const client = createApiClient({ fetch: fake.fetchImpl, token: () => 'tok-1', onUnauthorized: (message) => refused.push(message) });
    await expect(client.stopQueue('wf-1')).rejects.toMatchObject({ status: 401 });
    expect(fake.calls[0].init?.headers).toMatchObject({ authorization: 'Bearer tok-1', 'content-type': 'application/json' });
    expect(refused).toEqual(['invalid bearer token: expired']);
  });
});

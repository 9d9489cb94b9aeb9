import { Counter } from 'prom-client';
import { createMetricsRegistry } from './metrics-registry';
import { startMetricsServer, type MetricsServer } from './metrics-server';

describe('metrics server', () => {
  let server: MetricsServer | undefined;
  afterEach(() => server?.close());

  it('serves registry metrics including default process metrics', async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: 'streamforge_test_things_total', help: 'things', registers: [registry] }).inc(3);
    server = await startMetricsServer({ port: 0, host: '127.0.0.1' }, { registry });
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(text).toContain('streamforge_test_things_total 3');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('answers live always and ready from the probe', async () => {
    let ready = false;
    server = await startMetricsServer({ port: 0, host: '127.0.0.1' }, { registry: createMetricsRegistry(), isReady: () => ready });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('close is safe to call twice', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1' }, { registry: createMetricsRegistry() });
    await server.close();
    await expect(server.close()).resolves.toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifySwagger from '@fastify/swagger';
import { createLogger } from '@streamforge/logging';
import { registerDashboard, withBanner } from './dashboard-routes';

const logger = createLogger({ service: 'dashboard-test', level: 'silent' });

async function server(dir: string) {
  const app = Fastify();
  // As in createApiServer: swagger-ui serves /docs with @fastify/static too.
  await app.register(fastifySwagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '0' } } });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await registerDashboard(app, { dir, logger });
  await app.ready();
  return app;
}

describe('dashboard at /', () => {
  it('shows a banner atop the page when given one (a simulator run), escaped, and none otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><body class="x"><main></main></body>');
    const app = Fastify();
    await registerDashboard(app, { dir, logger, banner: 'SIMULATOR <data>' });
    const body = (await app.inject({ url: '/' })).body;
    expect(body).toMatch(/<body class="x"><div class="data-source-banner" role="alert"[^>]*>SIMULATOR &lt;data&gt;<\/div><main>/);
    await app.close();
    expect(withBanner('<body><main>', undefined)).toBe('<body><main>');
  });

  it('serves index.html revalidated and the hashed assets cached for good, beside /docs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>StreamForge dashboard</title><script src="dashboard/dashboard-ABC.js"></script>');
    writeFileSync(join(dir, 'dashboard-ABC.js'), 'console.info(1)');
    const app = await server(dir);
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    // Only its own scripts, styles and origin; never framed.
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.body).toContain('<title>StreamForge dashboard</title>');
    const asset = await app.inject({ url: '/dashboard/dashboard-ABC.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^application\/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/dashboard/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/docs/' })).statusCode).toBe(200);
    await app.close();
  });

  it('says how to build the dashboard when the bundle is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-dashboard-'));
    mkdirSync(join(dir, 'empty'));
    const app = await server(join(dir, 'empty'));
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(503);
    expect(index.body).toContain('The dashboard is not built');
    await app.close();
  });
});

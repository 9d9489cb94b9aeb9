import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@streamforge/logging';

/**
 * The dashboard loads only its own bundle and talks only to its own origin (REST and /ws/topic);
 * no page may frame it (clickjacking a Stop button). Inline styles stay allowed: lightweight-charts
 * sets style attributes on its canvas layers; scripts, the real injection risk, are 'self' only.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** Where the built dashboard's assets are served (index.html refers to them relatively). */
export const DASHBOARD_ASSET_PREFIX = '/dashboard/';

/**
 * Serves the dashboard bundle (libs/dashboard-ui, copied beside main.js at build time): `/` is its
 * index.html, revalidated on every load (and read per request, so a `--watch` rebuild shows on
 * reload); the hashed js/css under /dashboard/ are cached for good.
 * Without a built bundle (e.g. `tsx` from source) `/` says how to build it instead of a bare 404.
 */
export async function registerDashboard(app: FastifyInstance, deps: { dir: string; logger: Logger; banner?: string }): Promise<void> {
  const dir = resolve(deps.dir); // a relative DASHBOARD_DIR is relative to the working directory
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    deps.logger.warn({ dir }, 'no dashboard bundle: / answers 503 (build it with `npx nx run dashboard-ui:build`, or set DASHBOARD_DIR)');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send(`The dashboard is not built (no ${indexPath}). The API is documented at /docs.\n`),
    );
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', DASHBOARD_CSP).header('x-frame-options', 'DENY').send(withBanner(await readFile(indexPath, 'utf8'), deps.banner)),
  );
  await app.register(fastifyStatic, {
    root: dir,
    prefix: DASHBOARD_ASSET_PREFIX,
    index: false,
    // swagger-ui registers @fastify/static too; only one may decorate the reply.
    decorateReply: false,
    maxAge: '365d',
    immutable: true,
  });
}

/** A server-side banner at the top of the page (e.g. a simulator's data is not market data): no dashboard code involved. */
export function withBanner(html: string, banner: string | undefined): string {
  if (!banner) return html;
  const escaped = banner.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const element = `<div class="data-source-banner" role="alert" style="background:#b45309;color:#fff;padding:6px 12px;font:600 14px sans-serif">${escaped}</div>`;
  return /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (tag) => tag + element) : element + html;
}

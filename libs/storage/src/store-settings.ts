import { z } from 'zod';
import { hasUrlCredentials } from './store-url';

/** ArangoDB (traditional) database names: a letter, then letters, digits, `_`, `-`; at most 64 bytes. */
const databaseName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an ArangoDB database name (a letter, then letters, digits, "_" or "-"; at most 64)');

/** The environment variables that choose and reach the store; apps spread them into their config schema. */
export const storeSettings = {
  STORE: z.enum(['arango', 'sqlite']).optional().describe('arango | sqlite; default: arango when ARANGO_URL is set, else sqlite'),
  SQLITE_PATH: z.string().min(1).default('./data/streamforge.db').describe('SQLite database file (STORE=sqlite); its directory is created'),
  ARANGO_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http(s) URL such as http://arangodb:8529')
    .refine((url) => !hasUrlCredentials(url), 'must not carry credentials (user:password@); set ARANGO_USER/ARANGO_PASSWORD or ARANGO_TOKEN')
    .optional()
    .describe('ArangoDB endpoint (STORE=arango), http or https, without credentials'),
  ARANGO_DB: databaseName
    .default('streamforge')
    .describe('ArangoDB database; created when missing if the user may (root, or a user with Administrate on _system, who is granted access to it)'),
  ARANGO_USER: z.string().min(1).default('root').describe('ArangoDB user (Basic auth); needs Administrate ("rw") on ARANGO_DB to create collections and indexes'),
  ARANGO_PASSWORD: z.string().default('').describe('ArangoDB password (Basic auth)'),
  ARANGO_TOKEN: z.string().min(1).optional().describe('ArangoDB JWT sent as a bearer token instead of Basic auth (then ARANGO_PASSWORD must be empty)'),
  ARANGO_CA_PATH: z.string().min(1).optional().describe('PEM file with the CA that signed the ArangoDB server certificate (https with a private CA)'),
  ARANGO_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000).describe('ArangoDB per-request timeout (ms); a timed-out write is retried'),
  ARANGO_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000).describe('AQL query limit (ms): the server kills a longer query (maxRuntime)'),
  ARANGO_MAX_QUEUE_TIME_S: z.coerce
    .number()
    .positive()
    .default(10)
    .describe('Longest ArangoDB may queue a request before running it (x-arango-queue-time-seconds); refused (and retried) beyond'),
};

/** The store settings alone, for tools that need nothing else. */
export const storeSettingsSchema = z.object(storeSettings).superRefine((settings, ctx) => refineStoreSettings(settings, ctx));
export type StoreSettings = z.infer<typeof storeSettingsSchema>;

/** Which store the settings select: STORE wins; otherwise ArangoDB when ARANGO_URL is set. */
export function selectedStore(settings: Pick<StoreSettings, 'STORE' | 'ARANGO_URL'>): 'arango' | 'sqlite' {
  return settings.STORE ?? (settings.ARANGO_URL ? 'arango' : 'sqlite');
}

/**
 * Cross-field rule for `.superRefine` on an app's config schema, so a bad combination fails
 * config loading (exit 2) with one line: STORE=arango without ARANGO_URL.
 */
export function refineStoreSettings(settings: Pick<StoreSettings, 'STORE' | 'ARANGO_URL'> & Partial<Pick<StoreSettings, 'ARANGO_TOKEN' | 'ARANGO_PASSWORD'>>, ctx: z.RefinementCtx): void {
  if (settings.STORE === 'arango' && !settings.ARANGO_URL) {
    ctx.addIssue({ code: 'custom', path: ['ARANGO_URL'], message: 'STORE=arango needs ARANGO_URL (e.g. http://arangodb:8529)' });
  }
  if (settings.ARANGO_TOKEN && settings.ARANGO_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['ARANGO_TOKEN'], message: 'set ARANGO_TOKEN or ARANGO_PASSWORD, not both' });
  }
}

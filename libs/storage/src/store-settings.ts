import { z } from 'zod';

/** ArangoDB (traditional) database names: a letter, then letters, digits, `_`, `-`; at most 64 bytes. */
const databaseName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an ArangoDB database name (a letter, then letters, digits, "_" or "-"; at most 64)');

/** The environment variables that choose and reach the store; apps spread them into their config schema. */
export const storeSettings = {
  STORE: z.enum(['arango', 'sqlite']).optional().describe('arango | sqlite; default: arango when ARANGO_URL is set, else sqlite'),
  SQLITE_PATH: z.string().min(1).default('./data/streamforge.db').describe('SQLite database file (STORE=sqlite); its directory is created'),
  ARANGO_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http(s) URL such as http://arangodb:8529')
    // A password in the URL would end up in logs and in every process listing of the environment.
    .refine((url) => !/^https?:\/\/[^/]*@/.test(url), 'must not carry credentials (user:password@): set ARANGO_USER and ARANGO_PASSWORD from the Secret')
    .optional()
    .describe('ArangoDB endpoint (STORE=arango)'),
  ARANGO_DB: databaseName.default('streamforge').describe('ArangoDB database, created when missing'),
  ARANGO_USER: z.string().min(1).default('root').describe('ArangoDB user'),
  ARANGO_PASSWORD: z.string().default('').describe('ArangoDB password'),
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
export function refineStoreSettings(settings: Pick<StoreSettings, 'STORE' | 'ARANGO_URL'>, ctx: z.RefinementCtx): void {
  if (settings.STORE === 'arango' && !settings.ARANGO_URL) {
    ctx.addIssue({ code: 'custom', path: ['ARANGO_URL'], message: 'STORE=arango needs ARANGO_URL (e.g. http://arangodb:8529)' });
  }
}

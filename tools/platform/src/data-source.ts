import { basename, dirname, extname, join } from 'node:path';

/** `DATA_SOURCE` of a simulated run: its logs, summary and dashboard carry this word. */
export const SIMULATOR_SOURCE = 'simulator';

/** The simulator's own SQLite file beside the real one: `data/streamforge.db` → `data/streamforge-sim.db`. */
export function simulatorSqlitePath(realPath: string): string {
  const ext = extname(realPath);
  return join(dirname(realPath), `${basename(realPath, ext)}-sim${ext || '.db'}`);
}

/**
 * Environment for queue-manager, its workers and `npm start` itself. A simulated run always stores
 * into its own SQLite file (never ArangoDB, never the real file: simulated candles carry the names a
 * real load of that day uses, so they must never share a store with market data) and tags every log
 * line with `data_source: simulator`.
 */
export function runEnvironment(sim: boolean, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  if (!sim) return { DATA_SOURCE: undefined };
  return { STORE: 'sqlite', SQLITE_PATH: simulatorSqlitePath(env.SQLITE_PATH || './data/streamforge.db'), DATA_SOURCE: SIMULATOR_SOURCE };
}

import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs to stdout; `--debug` wins over LOG_LEVEL. `dataSource` (default: the DATA_SOURCE
 * variable, set to `simulator` by `npm start -- --sim`) is stamped on every line, so simulated runs
 * can never be read as market data in the logs.
 */
export function createLogger(options: { service: string; level?: string; debug?: boolean; dataSource?: string }): Logger {
  const level = (options.debug ? 'debug' : (options.level ?? 'info')) as LevelWithSilent;
  const dataSource = options.dataSource ?? process.env.DATA_SOURCE;
  return pino({ name: options.service, level, base: { service: options.service, ...(dataSource ? { data_source: dataSource } : {}) }, timestamp: pino.stdTimeFunctions.isoTime });
}

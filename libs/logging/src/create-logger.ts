import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** JSON logs to stdout; `--debug` wins over LOG_LEVEL. */
export function createLogger(options: { service: string; level?: string; debug?: boolean }): Logger {
  const level = (options.debug ? 'debug' : (options.level ?? 'info')) as LevelWithSilent;
  return pino({ name: options.service, level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime });
}

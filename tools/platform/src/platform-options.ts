import { z } from 'zod';
import { portSetting } from '@streamforge/config';
import { KLINE_INTERVALS } from '@streamforge/binance';
import { isOpenEnded, MAX_TARGET_INSTANCES, parseTimeRange } from '@streamforge/schemas';

const instanceCount = (flag: string, what: string) =>
  z.coerce.number({ error: `a whole number from 1 to ${MAX_TARGET_INSTANCES}` }).int(`a whole number from 1 to ${MAX_TARGET_INSTANCES}`).min(1, `a whole number from 1 to ${MAX_TARGET_INSTANCES}`).max(MAX_TARGET_INSTANCES, `a whole number from 1 to ${MAX_TARGET_INSTANCES}`).optional().describe(`${flag} N: ${what} (default 1)`);

/** Yesterday in UTC as a one-day range (`YYYY-MM-DD:YYYY-MM-DD`, end day included). */
export function yesterdayRange(now = new Date()): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
  return `${day}:${day}`;
}

/** Today in UTC as an open-ended range (`YYYY-MM-DD:`): a live run's default. */
export function todayOpenRange(now = new Date()): string {
  return `${now.toISOString().slice(0, 10)}:`;
}

/** `npm start` flags and the environment variables it honours. */
export const platformOptionsSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'uppercase letters and digits, e.g. BTCUSDT').default('BTCUSDT').describe('--symbol'),
    interval: z.enum(KLINE_INTERVALS, { error: `one of ${KLINE_INTERVALS.join(' ')}` }).default('1m').describe('--interval'),
    range: z.string().min(1).optional().describe('--range YYYY-MM-DD:YYYY-MM-DD (UTC, end day included; default yesterday); with --live open-ended, e.g. 2024-08-01: (default today)'),
    live: z.boolean().default(false).describe('--live: a live queue (history, then the kline stream) until Ctrl-C'),
    sim: z.boolean().default(false).describe('--sim: use the bundled Binance simulators'),
    exit: z.boolean().default(false).describe('--exit: stop everything when the flow ends'),
    replicas: instanceCount('--replicas', 'sink instances sharing the data topic'),
    splits: instanceCount('--splits', 'loader instances, each loading a part of the range'),
    port: portSetting.default(8000).describe('--port: queue-manager API port'),
    KAFKA_BOOTSTRAP_SERVERS: z.string().optional().describe('use this broker instead of starting one'),
    BINANCE_BASE_URL: z.string().url().optional(),
    SQLITE_PATH: z.string().default('./data/streamforge.db'),
    ARANGO_URL: z.string().url().optional(),
  })
  .transform((options, ctx) => {
    const range = options.range ?? (options.live ? todayOpenRange() : yesterdayRange());
    const parsed = parseTimeRange(range, { openEnd: true });
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: parsed.reason });
      return z.NEVER;
    }
    if (isOpenEnded(parsed.value) !== options.live) {
      const message = options.live ? `--live follows the market: give an open-ended range such as ${parsed.value.startDay}: (got "${range}")` : `an open-ended range needs --live (got "${range}")`;
      ctx.addIssue({ code: 'custom', path: ['range'], message });
      return z.NEVER;
    }
    const scaled = (['replicas', 'splits'] as const).find((flag) => (options[flag] ?? 1) > 1);
    if (options.live && scaled) {
      ctx.addIssue({ code: 'custom', path: [scaled], message: `a --live run has one sink and one history loader (got --${scaled} ${options[scaled]})` });
      return z.NEVER;
    }
    if (options.live && options.exit) {
      ctx.addIssue({ code: 'custom', path: ['exit'], message: 'a --live run has no end: it runs until Ctrl-C' });
      return z.NEVER;
    }
    return { ...options, range };
  });

export const platformFlags = {
  symbol: { type: 'string' },
  interval: { type: 'string' },
  range: { type: 'string' },
  sim: { type: 'boolean' },
  exit: { type: 'boolean' },
  live: { type: 'boolean' },
  port: { type: 'string' },
  replicas: { type: 'string' },
  splits: { type: 'string' },
} as const;

export type PlatformOptions = z.infer<typeof platformOptionsSchema>;

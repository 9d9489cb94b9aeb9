import { z } from 'zod';
import { portSetting } from '@streamforge/config';
import { KLINE_INTERVALS } from '@streamforge/binance';

/** Yesterday in UTC as a one-day range (`YYYY-MM-DD:YYYY-MM-DD`, end day included). */
export function yesterdayRange(now = new Date()): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
  return `${day}:${day}`;
}

/** `npm start` flags and the environment variables it honours. */
export const platformOptionsSchema = z.object({
  symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'uppercase letters and digits, e.g. BTCUSDT').default('BTCUSDT').describe('--symbol'),
  interval: z.enum(KLINE_INTERVALS, { error: `one of ${KLINE_INTERVALS.join(' ')}` }).default('1m').describe('--interval'),
  range: z.string().min(1).default(yesterdayRange()).describe('--range YYYY-MM-DD:YYYY-MM-DD (UTC, end day included)'),
  sim: z.boolean().default(false).describe('--sim: use the bundled Binance simulator'),
  exit: z.boolean().default(false).describe('--exit: stop everything when the flow ends'),
  port: portSetting.default(8000).describe('--port: queue-manager API port'),
  KAFKA_BOOTSTRAP_SERVERS: z.string().optional().describe('use this broker instead of starting one'),
  BINANCE_BASE_URL: z.string().url().optional(),
  SQLITE_PATH: z.string().default('./data/streamforge.db'),
  ARANGO_URL: z.string().url().optional(),
});

export const platformFlags = {
  symbol: { type: 'string' },
  interval: { type: 'string' },
  range: { type: 'string' },
  sim: { type: 'boolean' },
  exit: { type: 'boolean' },
  port: { type: 'string' },
} as const;

export type PlatformOptions = z.infer<typeof platformOptionsSchema>;

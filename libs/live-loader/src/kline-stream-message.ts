/**
 * Strict reading of one message of a raw `<symbol>@kline_<interval>` stream: a kline event of this
 * very symbol and interval with every documented field in its documented type and a candle on the
 * interval grid, or a serverShutdown event. Anything else is a MalformedStreamMessageError.
 */
import { z } from 'zod';
import { type KlineInterval, alignOpenTime, closeTime } from '@streamforge/binance';
import { describeIssues } from '@streamforge/schemas';
import { MalformedStreamMessageError } from './errors';

/** The REST row of a kline (GET /api/v3/klines order), as the stream's fields give it. */
export type KlineRestRow = [number, string, string, string, string, string, number, string, number, string, string, string];

export type KlineStreamMessage =
  | { kind: 'kline'; eventTime: number; openTime: number; closeTime: number; closed: boolean; row: KlineRestRow }
  | { kind: 'shutdown'; eventTime: number };

// Same rule as the REST row reader: no leading zeros, no exponent, so the text is a JSON number.
const decimal = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'a decimal string like "16541.23000000"');
const time = z.number().int().nonnegative();
// Unknown extra keys are tolerated: Binance adds fields without notice, and refusing them would
// stop the data; every documented field is still required in its documented type.
const klineEvent = z.object({
  e: z.literal('kline'),
  E: time,
  s: z.string(),
  k: z.object({
    t: time,
    T: time,
    s: z.string(),
    i: z.string(),
    f: z.number().int(),
    L: z.number().int(),
    o: decimal,
    c: decimal,
    h: decimal,
    l: decimal,
    v: decimal,
    n: z.number().int().nonnegative(),
    x: z.boolean(),
    q: decimal,
    V: decimal,
    Q: decimal,
    B: z.string(),
  }),
});
const shutdownEvent = z.object({ e: z.literal('serverShutdown'), E: time });
// The WebSocket API documents it wrapped in `event`; accept both shapes.
const wrappedShutdown = z.object({ event: shutdownEvent });

/** A reader for one stream; `read` throws MalformedStreamMessageError with the field at fault. */
export function klineStreamReader(symbol: string, interval: KlineInterval): (data: Buffer | string, isBinary: boolean) => KlineStreamMessage {
  const stream = `${symbol.toLowerCase()}@kline_${interval}`;
  return (data, isBinary) => {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    const fail = (detail: string): never => {
      throw new MalformedStreamMessageError(stream, detail, text.slice(0, 200));
    };
    if (isBinary) fail(`a binary frame of ${data.length} bytes, expected JSON text`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(`not JSON (${(error as Error).message})`);
    }
    const shutdown = shutdownEvent.safeParse(value);
    if (shutdown.success) return { kind: 'shutdown', eventTime: shutdown.data.E };
    const wrapped = wrappedShutdown.safeParse(value);
    if (wrapped.success) return { kind: 'shutdown', eventTime: wrapped.data.event.E };
    const parsed = klineEvent.safeParse(value);
    if (!parsed.success) return fail(describeIssues(parsed.error, value));
    const { E, s, k } = parsed.data;
    if (s !== symbol || k.s !== symbol) fail(`symbol ${JSON.stringify(s)}/${JSON.stringify(k.s)}, expected ${symbol}`);
    if (k.i !== interval) fail(`k.i ${JSON.stringify(k.i)}, expected ${interval}`);
    if (alignOpenTime(interval, k.t) !== k.t) fail(`k.t ${k.t} is not on the ${interval} grid`);
    const expectedClose = closeTime(interval, k.t);
    if (k.T !== expectedClose) fail(`k.T ${k.T}, expected ${expectedClose} (the close time of the candle opening at ${k.t})`);
    return {
      kind: 'kline',
      eventTime: E,
      openTime: k.t,
      closeTime: k.T,
      closed: k.x,
      row: [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, k.B],
    };
  };
}

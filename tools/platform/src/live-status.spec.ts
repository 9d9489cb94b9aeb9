import type { QueueState, TelemetryEvent } from '@streamforge/schemas';
import { formatLiveStatus, noteLiveEvent } from './live-status';
import { platformOptionsSchema } from './platform-options';

const target = (name: string, fields: Record<string, unknown>) => ({ target: name, status: 'loading', records_written: 0, last_loaded_timestamp: null, error_message: null, ...fields });
const state = (targets: unknown[], status = 'loading') => ({ queue_id: 'wf-q', status, targets }) as unknown as QueueState;

describe('the live status line', () => {
  it('shows the candles stored, the history, the store lag, the reconnects and the status', () => {
    const newest = Date.UTC(2026, 10, 30, 21, 5);
    let figures = noteLiveEvent({}, { producer: 'arango-candles__abc123', live_lag_ms: 1234 } as TelemetryEvent);
    figures = noteLiveEvent(figures, { producer: 'loader-ws-candles__abc123', live_lag_ms: 5, reconnects: 2 } as TelemetryEvent);
    figures = noteLiveEvent(figures, { producer: 'loader-api-candles__abc123', records_written: 9 } as TelemetryEvent);
    const line = formatLiveStatus(state([target('loader-api-candles', { status: 'finished', records_written: 1440 }), target('loader-ws-candles', {}), target('arango-candles', { records_written: 1502, last_loaded_timestamp: newest })]), figures);
    expect(line).toBe('live | 1,502 candles stored, newest 2026-11-30 21:05 UTC | history loaded | lag 1,234 ms | reconnects 2 | loading');
    expect(formatLiveStatus(state([target('loader-api-candles', { records_written: 600 }), target('arango-candles', { status: 'error', error_message: 'store gone' })], 'error'), {})).toBe(
      'live | 0 candles stored | history 600 loaded | lag ? | reconnects 0 | error | arango-candles: store gone',
    );
  });
});

describe('npm start options', () => {
  const parse = (input: Record<string, unknown>) => platformOptionsSchema.safeParse(input);
  it('--live takes an open-ended range (default today), a run without it a bounded one', () => {
    expect(parse({ live: true }).data?.range).toMatch(/^\d{4}-\d{2}-\d{2}:$/);
    expect(parse({}).data?.range).toMatch(/^(\d{4}-\d{2}-\d{2}):\1$/);
    expect(parse({ live: true, range: '2024-08-01:2024-08-02' }).error?.issues[0]).toMatchObject({ path: ['range'], message: '--live follows the market: give an open-ended range such as 2024-08-01: (got "2024-08-01:2024-08-02")' });
    expect(parse({ range: '2024-08-01:' }).error?.issues[0]).toMatchObject({ path: ['range'], message: 'an open-ended range needs --live (got "2024-08-01:")' });
    expect(parse({ live: true, exit: true }).error?.issues[0]).toMatchObject({ path: ['exit'], message: 'a --live run has no end: it runs until Ctrl-C' });
  });

  it('--replicas and --splits take 1 to 8, for a bounded run only', () => {
    expect(parse({ replicas: '3', splits: '2' }).data).toMatchObject({ replicas: 3, splits: 2 });
    expect(parse({}).data?.replicas ?? parse({}).data?.splits).toBeUndefined();
    for (const bad of ['0', '9', '1.5', 'two']) expect(parse({ replicas: bad }).error?.issues[0]).toMatchObject({ path: ['replicas'], message: 'a whole number from 1 to 8' });
    expect(parse({ live: true, splits: '2' }).error?.issues[0]).toMatchObject({ path: ['splits'], message: 'a --live run has one sink and one history loader (got --splits 2)' });
  });
});

import { incomingTelemetryEventSchema, telemetryEventSchema } from './telemetry-event';

const base = {
  queue_id: 'q1', producer: 'dummy__abc123', symbol: 'BTCUSDT', type: 'api_candles_1m',
  message: 'ok', records_written: 0, finished: false, timestamp: 1722500000.1,
};

describe('telemetryEventSchema', () => {
  it('accepts a started event', () => {
    expect(telemetryEventSchema.safeParse({ ...base, status: 'started', event: 'started' }).success).toBe(true);
  });

  it('requires event to equal status', () => {
    const result = telemetryEventSchema.safeParse({ ...base, status: 'started', event: 'loading' });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0].path).toEqual(['event']);
  });

  it('requires ping_ts and ponged_at on a pong', () => {
    expect(telemetryEventSchema.safeParse({ ...base, status: 'pong', event: 'pong' }).success).toBe(false);
    expect(
      telemetryEventSchema.safeParse({ ...base, status: 'pong', event: 'pong', ping_ts: 1.5, ponged_at: 2.5 }).success,
    ).toBe(true);
  });

  it('rejects a negative records_written', () => {
    expect(telemetryEventSchema.safeParse({ ...base, status: 'loading', event: 'loading', records_written: -1 }).success).toBe(false);
  });

  it('carries a live load\'s lag and reconnect count as non-negative integers', () => {
    const loading = { ...base, status: 'loading', event: 'loading', live_lag_ms: 42, reconnects: 3 };
    expect(telemetryEventSchema.safeParse(loading).success).toBe(true);
    expect(telemetryEventSchema.safeParse({ ...loading, live_lag_ms: -1 }).success).toBe(false);
    expect(telemetryEventSchema.safeParse({ ...loading, reconnects: 1.5 }).success).toBe(false);
  });
});

describe('incomingTelemetryEventSchema (the design documents’ shape too)', () => {
  const { timestamp, ...withoutTimestamp } = base;

  it('derives event from status when event is absent', () => {
    const result = incomingTelemetryEventSchema.safeParse({ ...base, status: 'loading' });
    expect(result.success && result.data).toMatchObject({ status: 'loading', event: 'loading', timestamp });
  });

  it('derives timestamp from sent_at when timestamp is absent', () => {
    const result = incomingTelemetryEventSchema.safeParse({ ...withoutTimestamp, status: 'finished', sent_at: 1722500125.456 });
    expect(result.success && result.data).toMatchObject({ status: 'finished', event: 'finished', timestamp: 1722500125.456 });
  });

  it('still rejects what is really malformed, naming the field', () => {
    const noTime = incomingTelemetryEventSchema.safeParse({ ...withoutTimestamp, status: 'loading' });
    expect(noTime.success ? [] : noTime.error.issues.map((i) => i.path.join('.'))).toEqual(['timestamp']);
    const badStatus = incomingTelemetryEventSchema.safeParse({ ...base, status: 'done' });
    expect(badStatus.success).toBe(false);
    const disagree = incomingTelemetryEventSchema.safeParse({ ...base, status: 'loading', event: 'started' });
    expect(disagree.success ? [] : disagree.error.issues.map((i) => i.path.join('.'))).toEqual(['event']);
    const twoTimes = incomingTelemetryEventSchema.safeParse({ ...base, status: 'loading', sent_at: timestamp + 5 });
    expect(twoTimes.success ? [] : twoTimes.error.issues.map((i) => i.path.join('.'))).toEqual(['sent_at']);
    expect(incomingTelemetryEventSchema.safeParse('loading').success).toBe(false);
  });
});

import type { QueueState, TargetState } from '@streamforge/schemas';

/** A queue state as queue-manager sends it, for unit tests (only what a test overrides matters). */
export function queueStateFixture(overrides: Partial<QueueState> = {}, targets: Partial<TargetState>[] = [{}]): QueueState {
  return {
    queue_id: 'wf-btcusdt-api_candles_1m-20240801-abc123',
    status: 'loading',
    symbol: 'BTCUSDT',
    type: 'api_candles_1m',
    time_range: '2024-08-01:2024-08-01',
    flow_name: 'default_candles_flow',
    request: {},
    created_at: 1_722_500_000,
    updated_at: 1_722_500_010,
    started_at: 1_722_500_001,
    finished_at: null,
    stop_requested_at: null,
    ...overrides,
    targets: targets.map((target) => ({
      target: 'arango-candles',
      type: 'api_candles_1m',
      interval: '1m',
      args: [],
      kafka_topic: 'wf-btcusdt-api_candles_1m-20240801-abc123-data',
      collection_name: 'btcusdt_api_candles_1m_2024_08_01',
      telemetry_id: 'arango-candles__def456',
      job_name: 'job-arango-candles-btcusdt-def456',
      status: 'loading',
      message: null,
      records_written: 0,
      expected_records: null,
      last_loaded_timestamp: null,
      error_message: null,
      error_count: 0,
      gaps: [],
      started_at: null,
      finished_at: null,
      last_event_at: null,
      ...target,
    })),
  };
}

import { controlCommandSchema } from './control-command';
import { describeIssues } from './validation-error';

describe('controlCommandSchema', () => {
  it('accepts the ping the Python debug_producer sends', () => {
    const ping = controlCommandSchema.parse({ queue_id: 'q1', command: 'ping', sent_at: 1722500000.5 });
    expect(ping).toEqual({ queue_id: 'q1', command: 'ping', sent_at: 1722500000.5 });
  });

  it('accepts the documented start command', () => {
    const start = controlCommandSchema.parse({
      command: 'start',
      queue_id: 'wf-btcusdt-api_candles_5m-20240801-a1b2c3',
      target: 'loader-producer',
      symbol: 'BTCUSDT',
      type: 'api_candles_5m',
      time_range: '2024-08-01:2024-08-02',
      kafka_topic: 'wf-btcusdt-api_candles_5m-20240801-a1b2c3-data',
      collection_name: 'btcusdt_api_candles_5m_2024_08_01',
      telemetry_id: 'loader-producer__a1b2c3',
      timestamp: 1722500000.123,
    });
    expect(start.command).toBe('start');
  });

  it('names the field and value that are wrong', () => {
    const input = { command: 'ping', queue_id: 'q1', sent_at: 'yesterday' };
    const result = controlCommandSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toMatch(/^sent_at: .*number.*\(got "yesterday"\)$/);
  });

  it('rejects an unknown command', () => {
    expect(controlCommandSchema.safeParse({ command: 'reboot', queue_id: 'q1' }).success).toBe(false);
  });
});

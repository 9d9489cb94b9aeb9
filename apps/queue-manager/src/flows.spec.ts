import { join } from 'node:path';
import { flowToStartRequest, loadFlowCatalog, planStart, workerSpecFor } from '@streamforge/orchestrator';
import { requestErrorsOf as errorsOf } from '@streamforge/orchestrator/testing';

const range = '2024-08-01:2024-08-01';

describe('flows', () => {
  const catalog = loadFlowCatalog(join(__dirname, '..', 'flows.yaml'));

  it('ships default_candles_flow and dummy_flow', () => {
    expect(catalog.default_candles_flow.targets.map((t) => t.target)).toEqual(['loader-api-candles', 'arango-candles']);
    expect(catalog.dummy_flow.targets.map((t) => t.target)).toEqual(['dummy-service']);
  });

  it('ships live_candles_flow: history, the live stream and one sink, for an open-ended range only', () => {
    const plan = planStart(flowToStartRequest(catalog, { flow_name: 'live_candles_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:' }), { suffix: 'abc123' });
    expect(plan.targets.map((t) => [t.target, t.interval])).toEqual([['loader-api-candles', '1m'], ['loader-ws-candles', '1m'], ['arango-candles', '1m']]);
    expect(plan.timeRange).toBe('2024-08-01:');
    expect(errorsOf(() => planStart(flowToStartRequest(catalog, { flow_name: 'live_candles_flow', symbol: 'BTCUSDT', time_range: range }))).errors).toEqual([
      { path: 'targets.1.target', message: 'loader-ws-candles follows the market: time_range must be open-ended, e.g. 2024-08-01: (got "2024-08-01:2024-08-01")' },
    ]);
  });

  it('turns a flow request into a start request, applying extra_params', () => {
    const request = flowToStartRequest(catalog, { flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { interval: '5m' } });
    const plan = planStart(request, { suffix: 'abc123' });
    expect(plan.queueId).toBe('wf-btcusdt-api_candles_5m-20240801-abc123');
    expect(plan.targets.map((t) => t.interval)).toEqual(['5m', '5m']);
  });

  it('passes extra_params.indicators to the arango-candles worker as INDICATORS, and only to it', () => {
    const request = flowToStartRequest(catalog, { flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { indicators: 'EMA_21,RSI_7,ATR_14' } });
    const plan = planStart(request, { suffix: 'abc123' });
    expect(plan.targets.map((t) => [t.target, workerSpecFor(plan, t).env.INDICATORS])).toEqual([['loader-api-candles', undefined], ['arango-candles', 'EMA_21,RSI_7,ATR_14']]);
    const without = planStart(flowToStartRequest(catalog, { flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: range }), { suffix: 'abc123' });
    expect(without.targets.map((t) => 'INDICATORS' in workerSpecFor(without, t).env)).toEqual([false, false]);
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'loader-api-candles', type: 'api_candles_1m', indicators: 'EMA_21' }] })).errors).toEqual([
      { path: 'targets.0.indicators', message: 'only arango-candles stores indicators (got target "loader-api-candles")' },
    ]);
  });

  it('lists the known flows for an unknown one', () => {
    const { errors, known } = errorsOf(() => flowToStartRequest(catalog, { flow_name: 'nope', symbol: 'BTCUSDT', time_range: range }));
    expect(errors).toEqual([{ path: 'flow_name', message: 'unknown flow (got "nope"); known flows: default_candles_flow, dummy_flow, live_candles_flow' }]);
    expect(known).toEqual(['default_candles_flow', 'dummy_flow', 'live_candles_flow']);
  });
});

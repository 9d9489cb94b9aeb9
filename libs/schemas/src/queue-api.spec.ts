import { z } from 'zod';
import { SERVER_RULES_KEYWORD } from './documented-text';
import { queueIdParamsSchema, startFlowRequestSchema, startQueueRequestSchema, stopQueueRequestSchema } from './queue-api';
import { describeIssues } from './validation-error';

const issuesOf = (input: unknown) => {
  const result = startQueueRequestSchema.safeParse(input);
  return result.success ? 'valid' : describeIssues(result.error, input);
};

describe('startQueueRequestSchema', () => {
  it('accepts the simple and the multi-target shapes', () => {
    expect(issuesOf({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' })).toBe('valid');
    expect(issuesOf({ symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', targets: [{ target: 'dummy-service', type: 'dummy' }] })).toBe('valid');
    expect(issuesOf({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01', requests: [{ target: 'loader-api-candles' }] })).toBe('valid');
  });

  it('names a bad symbol and what it got', () => {
    expect(issuesOf({ symbol: 'btc-usdt', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' })).toBe(
      'symbol: uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT) (got "btc-usdt")',
    );
  });

  it('names an inverted time range', () => {
    expect(issuesOf({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-02:2024-08-01' })).toMatch(/^time_range: inverted/);
  });

  it('asks for a type or targets, and a type per target when there is no top-level one', () => {
    expect(issuesOf({ symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01' })).toMatch(/^type: give type \(simple shape\) or targets/);
    expect(issuesOf({ symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', targets: [{ target: 'dummy-service' }] })).toMatch(/^targets\.0\.type: required/);
    expect(issuesOf({ symbol: 'BTCUSDT', type: 'x', time_range: '2024-08-01:2024-08-01', targets: [{ target: 'a' }], requests: [{ target: 'b' }] })).toMatch(/^requests: give targets or requests/);
  });

  it('rejects unknown fields by name', () => {
    expect(issuesOf({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01', tpye: 'x' })).toMatch(/tpye/);
  });
});

describe('startFlowRequestSchema', () => {
  it('lists what extra_params accepts when given something else', () => {
    const input = { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', extra_params: { speed: 3 } };
    const result = startFlowRequestSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error, input)).toMatch(/^extra_params: Unrecognized key.*"speed"/);
  });
});

describe('bounded and trimmed strings', () => {
  it('refuses a padded 300 KB time_range and a 100 KB flow_name without echoing them', () => {
    const input = { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: `${' '.repeat(300_000)}2024-08-01:2024-08-01` };
    const padded = startQueueRequestSchema.safeParse(input);
    expect(padded.success).toBe(false);
    const message = padded.success ? '' : describeIssues(padded.error, input);
    expect(message).toMatch(/^time_range: at most 80 characters/);
    expect(message.length).toBeLessThan(400);
    const flowInput = { flow_name: 'x'.repeat(100_000), symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01' };
    const flow = startFlowRequestSchema.safeParse(flowInput);
    const flowMessage = flow.success ? '' : describeIssues(flow.error, flowInput);
    expect(flowMessage).toMatch(/^flow_name: at most 100 characters/);
    expect(flowMessage.length).toBeLessThan(300);
  });

  it('trims what it accepts', () => {
    const parsed = startFlowRequestSchema.parse({ flow_name: ' dummy_flow ', symbol: ' BTCUSDT', time_range: ' 2024-08-01:2024-08-01 ' });
    expect(parsed).toEqual({ flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01' });
  });
});

describe('the request schemas as the OpenAPI document states them (JSON Schema of the same zod schemas)', () => {
  const start = z.toJSONSchema(startQueueRequestSchema, { io: 'input' }) as { properties: Record<string, { pattern?: string; items?: { properties: Record<string, { pattern?: string }> } }> };
  const matches = (pattern: string | undefined, text: string) => new RegExp(pattern as string, 'u').test(text);

  it('patterns accept exactly what the server accepts: surrounding whitespace (trimmed), never a blank name', () => {
    const request = { symbol: ' BTCUSDT ', type: 'api_candles_1m ', time_range: ' 2024-08-01:2024-08-01' };
    expect(startQueueRequestSchema.safeParse(request).success).toBe(true);
    expect(matches(start.properties.symbol?.pattern, request.symbol) && matches(start.properties.type?.pattern, request.type) && matches(start.properties.time_range?.pattern, request.time_range)).toBe(true);
    const target = start.properties.targets?.items?.properties.target?.pattern;
    expect(matches(target, '  ')).toBe(false);
    expect(startQueueRequestSchema.safeParse({ symbol: 'BTCUSDT', type: 'dummy', time_range: '2024-08-01:2024-08-01', targets: [{ target: '  ' }] }).success).toBe(false);
  });

  it('queue ids: the path parameter has no whitespace to trim, the stop body may', () => {
    expect(queueIdParamsSchema.safeParse({ queue_id: 'wf-btcusdt-api_candles_1m-20240801-abc123' }).success).toBe(true);
    expect(queueIdParamsSchema.safeParse({ queue_id: ' wf-x' }).success).toBe(false);
    expect(queueIdParamsSchema.safeParse({ queue_id: 'x'.repeat(201) }).success).toBe(false);
    expect(stopQueueRequestSchema.parse({ queue_id: ' wf-x ' })).toEqual({ queue_id: 'wf-x' });
  });

  it('marks the fields with checks beyond their JSON Schema', () => {
    expect(start.properties.time_range).toHaveProperty([SERVER_RULES_KEYWORD], expect.stringMatching(/calendar date/));
    expect(start.properties.targets?.items?.properties.target).toHaveProperty([SERVER_RULES_KEYWORD]);
  });
});

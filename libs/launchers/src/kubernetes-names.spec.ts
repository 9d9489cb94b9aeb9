import { DNS1123_LABEL, kubernetesNameProblem, LABEL_VALUE, labelValue } from './kubernetes-names';

describe('labelValue', () => {
  it('keeps a valid value as it is', () => {
    expect(labelValue('wf-btcusdt-api_candles_1m-20240801-abc123')).toBe('wf-btcusdt-api_candles_1m-20240801-abc123');
  });

  it('shortens a long value to 63 characters, keeping the random suffix', () => {
    const long = `wf-btcusdt-${'x'.repeat(80)}-20240801-abc123`;
    const value = labelValue(long);
    expect(value).toHaveLength(63);
    expect(value.endsWith('abc123')).toBe(true);
    expect(LABEL_VALUE.test(value)).toBe(true);
  });

  it('replaces illegal characters and trims non-alphanumeric ends', () => {
    expect(labelValue('-a b/c-')).toBe('a_b_c');
  });
});

describe('kubernetesNameProblem', () => {
  it('accepts the documented example and names what is wrong otherwise', () => {
    expect(kubernetesNameProblem('job-arango-candles-btcusdt-abc123', { queue_id: 'wf-btcusdt-api_candles_1m-20240801-abc123' })).toBeUndefined();
    expect(kubernetesNameProblem('Job_1', {})).toMatch(/job name "Job_1" is not a DNS-1123 label/);
    expect(kubernetesNameProblem('job-1', { queue_id: 'x'.repeat(64) })).toMatch(/label queue_id=.* is not a valid label value/);
    expect(DNS1123_LABEL.test('a'.repeat(64))).toBe(false);
  });
});

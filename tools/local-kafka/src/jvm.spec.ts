import { baseJvmArgs } from './jvm';

describe('baseJvmArgs', () => {
  it('stops the JIT at C1 for a fast start by default, and keeps C2 for the peak (benchmarks)', () => {
    expect(baseJvmArgs('/log4j2.properties')).toContain('-XX:TieredStopAtLevel=1');
    expect(baseJvmArgs('/log4j2.properties', { jit: 'startup' })).toContain('-XX:TieredStopAtLevel=1');
    const peak = baseJvmArgs('/log4j2.properties', { jit: 'peak' });
    expect(peak.filter((arg) => arg.startsWith('-XX:TieredStopAtLevel'))).toEqual([]);
    expect(peak).toContain('-Dlog4j2.configurationFile=/log4j2.properties');
  });
});

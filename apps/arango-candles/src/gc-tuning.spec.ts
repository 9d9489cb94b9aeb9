import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * In a child process (V8 flags are per process): objects from one allocation site that all survive
 * are what V8 pretenures; asks V8 (natives syntax) whether new ones still start in the young generation.
 */
function youngAfterSurvivors(tune: boolean): number {
  const probe = `
    ${tune ? `require(${JSON.stringify(join(__dirname, 'gc-tuning.ts'))}).tuneGarbageCollector();` : ''}
    const inYoungGeneration = new Function('o', 'return %InYoungGeneration(o)');
    const kept = [];
    const candle = (i) => ({ open_time: i, symbol: 'BTCUSDT', close: i * 0.5 });
    for (let round = 0; round < 40; round++) for (let i = 0; i < 100000; i++) kept.push(candle(i));
    let young = 0;
    for (let i = 0; i < 100; i++) if (inYoungGeneration(candle(i))) young++;
    process.stdout.write(String(young));
  `;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', probe], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`probe failed (${child.status}): ${child.stderr}`);
  return Number(child.stdout);
}

describe('tuneGarbageCollector', () => {
  it('keeps V8 from allocating straight into the old generation objects of a site whose objects survived', () => {
    // Without it, V8 pretenures the site (the case the sink hit in about one run of three).
    expect(youngAfterSurvivors(false)).toBe(0);
    expect(youngAfterSurvivors(true)).toBe(100);
  }, 120_000);
});

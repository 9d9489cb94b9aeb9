import { formatLoadSplit, parseLoadSplit } from './load-split';

describe('parseLoadSplit', () => {
  it('reads k/n and writes it back the same way', () => {
    expect(parseLoadSplit('2/3')).toEqual({ ok: true, value: { index: 2, of: 3 } });
    expect(parseLoadSplit(' 1 / 1 ')).toEqual({ ok: true, value: { index: 1, of: 1 } });
    expect(parseLoadSplit('16/16')).toEqual({ ok: true, value: { index: 16, of: 16 } });
    expect(formatLoadSplit({ index: 2, of: 3 })).toBe('2/3');
  });

  it.each(['', '3', '0/3', '4/3', '1/17', '1/0', 'a/b', '1/3/5', '-1/3', '1.5/3'])('refuses %j naming the expected form', (text) => {
    expect(parseLoadSplit(text)).toEqual({ ok: false, reason: 'expected <k>/<n> with 1 ≤ k ≤ n ≤ 16, e.g. 2/3' });
  });
});

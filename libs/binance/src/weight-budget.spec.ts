import { BinanceAbortedError, BinanceBanError } from './errors';
import { WeightBudget, type WeightTicket, usedWeightHeader } from './weight-budget';

const WINDOW = 10_000;

/** Resolves to the ticket, or 'waiting' if acquire has not resolved after the timers ran. */
async function state(p: Promise<WeightTicket>): Promise<WeightTicket | 'waiting'> {
  return Promise.race([p, jest.advanceTimersByTimeAsync(0).then(() => 'waiting' as const)]);
}

describe('WeightBudget', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(5 * WINDOW + 1_000);
  });
  afterEach(() => jest.useRealTimers());

  const budget = (share = 0.5, limit: number | null = 100) => new WeightBudget({ limit, windowMs: WINDOW, share });

  it('sends one probe first, then fills share × limit of the window and waits for the next one', async () => {
    const b = budget();
    expect(b.cap).toBe(50);
    const probe = await b.acquire(2);
    expect(await state(b.acquire(2))).toBe('waiting');
    b.settle(probe, { usedWeight: 2 });
    const tickets: WeightTicket[] = [];
    // 25 tickets of 2 fill the cap of 50: the probe, the one that waited for it, and 23 more
    for (let i = 0; i < 23; i++) tickets.push(await b.acquire(2));
    const over = b.acquire(2);
    expect(await state(over)).toBe('waiting');
    // the next window starts 9 s later (plus a 500 ms guard): a probe again
    await jest.advanceTimersByTimeAsync(9_000 + 499);
    expect(await state(over)).toBe('waiting');
    await jest.advanceTimersByTimeAsync(1);
    expect(await over).toEqual({ weight: 2, window: 6 });
  });

  it('counts the weight other clients of the IP used, as Binance reports it', async () => {
    const b = budget();
    const probe = await b.acquire(2);
    b.settle(probe, { usedWeight: 46 });
    await b.acquire(2);
    await b.acquire(2);
    expect(await state(b.acquire(2))).toBe('waiting');
  });

  it('ignores a header from a request of the previous window', async () => {
    const b = budget();
    const old = await b.acquire(2);
    await jest.advanceTimersByTimeAsync(WINDOW);
    b.settle(old, { usedWeight: 50 });
    const fresh = await b.acquire(2);
    b.settle(fresh, { usedWeight: 2 });
    expect(await state(b.acquire(2))).not.toBe('waiting');
  });

  it('says once per pause, at info level, how long requests wait for the next window', async () => {
    const lines: Array<{ obj: { waitMs: number; usedWeight: number; cap: number }; msg: string }> = [];
    const b = new WeightBudget({ limit: 100, windowMs: WINDOW, share: 0.5 }, { logger: { info: (obj, msg) => lines.push({ obj: obj as (typeof lines)[number]['obj'], msg }) } });
    const fill = async () => {
      b.settle(await b.acquire(2), { usedWeight: 2 });
      for (let i = 0; i < 24; i++) await b.acquire(2);
    };
    await fill();
    expect(lines).toEqual([]);
    // Three requests wait for the next window: one line, with the wait (9 s to the boundary + a 500 ms guard).
    const waiting = [b.acquire(2), b.acquire(2), b.acquire(2)];
    await jest.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([{ obj: expect.objectContaining({ waitMs: 9_500, usedWeight: 50, cap: 50 }), msg: expect.stringMatching(/weight budget .* used .*pausing requests for 9\.5 s/) }]);
    await jest.advanceTimersByTimeAsync(9_500);
    // A new window starts with a lone probe; its answer lets the other two go.
    const probe = await Promise.race(waiting);
    b.settle(probe, { usedWeight: 2 });
    const tickets = await Promise.all(waiting);
    tickets.filter((t) => t !== probe).forEach((t) => b.settle(t, { usedWeight: 6 }));
    // The next window fills up too: a second pause, a second line.
    for (let i = 0; i < 22; i++) await b.acquire(2);
    const next = b.acquire(2);
    await jest.advanceTimersByTimeAsync(0);
    expect(lines.map((l) => l.obj.waitMs)).toEqual([9_500, 10_000]);
    await jest.advanceTimersByTimeAsync(10_000);
    await next;
  });

  it('sends nothing during a 429 pause, then one probe', async () => {
    const b = budget(0.5, null);
    const probe = await b.acquire(2);
    b.settle(probe, {});
    b.pause(3_000);
    const next = b.acquire(2);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(await state(next)).toBe('waiting');
    await jest.advanceTimersByTimeAsync(1);
    const t = await next;
    expect(await state(b.acquire(2))).toBe('waiting');
    b.settle(t, {});
    expect(await state(b.acquire(2))).not.toBe('waiting');
  });

  it('without a limit only the probe serialises requests', async () => {
    const b = budget(1, null);
    expect(b.cap).toBe(Infinity);
    b.settle(await b.acquire(2), {});
    for (let i = 0; i < 1000; i++) await b.acquire(2);
  });

  it('rejects waiting and future requests once banned', async () => {
    const b = budget();
    await b.acquire(2);
    const waiting = b.acquire(2);
    const ban = new BinanceBanError(120, Date.now() + 120_000, 'banned');
    b.ban(ban);
    await expect(waiting).rejects.toBe(ban);
    await expect(b.acquire(2)).rejects.toBe(ban);
  });

  it('rejects on abort', async () => {
    const b = budget();
    await b.acquire(2);
    const controller = new AbortController();
    const waiting = b.acquire(2, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(BinanceAbortedError);
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => budget(0)).toThrow(/share must be in \(0, 1\]/);
    expect(() => budget(1.5)).toThrow(RangeError);
  });

  it('names the used-weight header after the window', () => {
    expect(usedWeightHeader(60_000)).toBe('x-mbx-used-weight-1m');
    expect(usedWeightHeader(10_000)).toBe('x-mbx-used-weight-10s');
    expect(usedWeightHeader(86_400_000)).toBe('x-mbx-used-weight-1d');
  });
});

import { connectLive, type LiveStatus, liveUrl, type SocketEvents } from './live-connection';

/** A scripted stand-in for the browser's WebSocket and timers. */
function harness() {
  const sockets: { url: string; on: SocketEvents; closed: boolean }[] = [];
  const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
  const statuses: LiveStatus[] = [];
  const messages: unknown[] = [];
  let opens = 0;
  const connection = connectLive(
    'ws://qm/ws/topic',
    { onMessage: (message) => messages.push(message), onOpen: () => (opens += 1), onStatus: (status) => statuses.push(status) },
    {
      createSocket: (url, on) => {
        const socket = { url, on, closed: false, close: () => (socket.closed = true) };
        sockets.push(socket);
        return socket;
      },
      setTimer: (callback, ms) => {
        const timer = { callback, ms, cleared: false };
        timers.push(timer);
        return timer;
      },
      clearTimer: (timer) => ((timer as { cleared: boolean }).cleared = true),
      now: () => 1_000,
      backoff: { baseMs: 100, maxMs: 1_000 },
      random: () => 1,
    },
  );
  const fire = () => {
    const timer = timers.shift();
    if (!timer || timer.cleared) throw new Error('no pending reconnect');
    timer.callback();
  };
  return { connection, sockets, timers, statuses, messages, opens: () => opens, fire, last: () => sockets[sockets.length - 1] };
}

describe('connectLive', () => {
  it('passes JSON messages on and ignores what is not JSON', () => {
    const h = harness();
    h.last().on.open();
    h.last().on.message('{"type":"queue","data":{"queue_id":"q"}}');
    h.last().on.message('not json');
    h.last().on.message(new ArrayBuffer(2));
    expect(h.messages).toEqual([{ type: 'queue', data: { queue_id: 'q' } }]);
    expect(h.opens()).toBe(1);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('reconnects after a close with growing delays, resets them once live, and asks for a re-sync on every open', () => {
    const h = harness();
    h.last().on.open();
    h.last().on.close();
    h.last().on.close(); // a second close of the same socket changes nothing
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.fire();
    h.last().on.close(); // the server is still down
    h.fire();
    h.last().on.close();
    expect(h.statuses.filter((s) => s.state === 'reconnecting')).toEqual([
      { state: 'reconnecting', attempt: 1, retryAt: 1_100 },
      { state: 'reconnecting', attempt: 2, retryAt: 1_200 },
      { state: 'reconnecting', attempt: 3, retryAt: 1_400 },
    ]);
    h.fire();
    h.last().on.open();
    expect(h.opens()).toBe(2);
    h.last().on.close();
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    expect(h.sockets.map((s) => s.url)).toEqual(Array(4).fill('ws://qm/ws/topic'));
  });

  it('stays offline while paused, drops messages of the dropped socket, and reconnects on resume', () => {
    const h = harness();
    const first = h.last();
    first.on.open();
    h.connection.pause();
    expect(first.closed).toBe(true);
    first.on.message('{"late":true}');
    first.on.close();
    expect(h.timers).toEqual([]);
    expect(h.messages).toEqual([]);
    h.connection.resume();
    expect(h.sockets).toHaveLength(2);
    h.last().on.open();
    expect(h.opens()).toBe(2);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'paused', 'connecting', 'live']);
  });

  it('close() cancels a pending reconnect', () => {
    const h = harness();
    h.last().on.close();
    h.connection.close();
    expect(h.timers[0].cleared).toBe(true);
  });

  it('derives ws: or wss: from the page', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/ws/topic');
    expect(liveUrl({ protocol: 'https:', host: 'qm.example' })).toBe('wss://qm.example/ws/topic');
  });
});

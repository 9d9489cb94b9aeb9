import axios from 'axios';
import WebSocket from 'ws';

import { alignOpenTime, nextOpenTime } from '../kline-intervals';
import { type BinanceMarket, startBinanceMarket } from './binance-market';
import type { BinanceWsSimulatorOptions } from './binance-ws-simulator';

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];
interface Received {
  messages: Array<string | Buffer>;
  closed?: { code: number };
  socket: WebSocket;
}

const START = Date.UTC(2024, 5, 15, 12, 0, 0, 500);
let market: BinanceMarket;

async function startMarket(speed: number, ws: BinanceWsSimulatorOptions = {}): Promise<BinanceMarket> {
  market = await startBinanceMarket({ clock: { start: START, speed }, ws });
  return market;
}

function connect(path = '/ws/btcusdt@kline_1m', options: WebSocket.ClientOptions = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(market.ws.url + path, options);
    const received: Received = { messages: [], socket };
    socket.on('message', (data, isBinary) => received.messages.push(isBinary ? (data as Buffer) : data.toString()));
    socket.on('close', (code) => (received.closed = { code }));
    socket.once('open', () => resolve(received));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** Polls `condition` every 10 ms; fails naming `what` after `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const events = (r: Received) => r.messages.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as { e: string; E: number; k: { t: number; x: boolean } & Record<string, unknown> });
const closing = (r: Received) => events(r).filter((e) => e.e === 'kline' && e.k.x).map((e) => e.k);

afterEach(async () => {
  await market?.close();
});

describe('kline stream', () => {
  it('pushes in-progress events and one closing event per candle, equal to the REST kline row', async () => {
    await startMarket(300);
    const client = await connect();
    await waitFor('4 closing events', () => closing(client).length >= 4);
    client.socket.close();
    const closed = closing(client);
    const opens = closed.map((k) => k.t);
    for (let i = 1; i < opens.length; i++) expect(opens[i]).toBe(nextOpenTime('1m', opens[i - 1] as number));
    expect(events(client).some((e) => e.e === 'kline' && !e.k.x)).toBe(true);

    const first = closed[0] as Record<string, unknown> & { t: number };
    expect(Object.keys(events(client)[0] as object)).toEqual(['e', 'E', 's', 'k']);
    expect(Object.keys(first)).toEqual(['t', 'T', 's', 'i', 'f', 'L', 'o', 'c', 'h', 'l', 'v', 'n', 'x', 'q', 'V', 'Q', 'B']);
    const { data } = await axios.get<Row[]>(`${market.rest.url}/api/v3/klines`, { params: { symbol: 'BTCUSDT', interval: '1m', startTime: first.t, limit: 1 } });
    const row = data[0] as Row;
    expect([first.t, first.o, first.h, first.l, first.c, first.v, first.T, first.q, first.n, first.V, first.Q, first.B]).toEqual(row);
    expect(first).toMatchObject({ s: 'BTCUSDT', i: '1m', x: true });
  });

  it('pings every 20 s of its clock; the ws client answers and the connection lives on', async () => {
    await startMarket(400);
    const client = await connect();
    await waitFor('3 answered pings', () => market.ws.stats.pongs >= 3);
    expect(client.closed).toBeUndefined();
  });

  it('drops a connection that does not answer pings within a minute of its clock', async () => {
    await startMarket(1_000);
    const client = await connect('/ws/btcusdt@kline_1m', { autoPong: false });
    // Each ping carries its simulated send time; a loaded machine may run fewer ticks, so the
    // guarantee is checked, not a ping count: dropped only once the awaited ping is a minute old.
    const pingsSentAt: number[] = [];
    client.socket.on('ping', (payload: Buffer) => pingsSentAt.push(Number(payload.toString())));
    await waitFor('the connection to be dropped', () => client.closed !== undefined);
    const droppedBy = market.clock.now();
    expect(client.closed?.code).toBe(1006);
    expect(pingsSentAt.length).toBeGreaterThanOrEqual(1);
    expect(droppedBy - pingsSentAt[0]).toBeGreaterThan(60_000);
  });

  it('cuts a connection at 24 h of its clock', async () => {
    await startMarket(1);
    const client = await connect();
    market.clock.advance(24 * 3_600_000);
    await waitFor('the 24 h cut', () => client.closed !== undefined);
    expect(client.closed?.code).toBe(1000);
  });

  it('drops a connection that sends more than 5 frames per second', async () => {
    await startMarket(1);
    const client = await connect();
    for (let i = 0; i < 6; i++) client.socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
    await waitFor('the connection to be dropped', () => client.closed !== undefined);
    expect(client.closed?.code).toBe(1006);
  });

  it('refuses unknown streams and connection attempts over the rate limit', async () => {
    await startMarket(1, { maxConnectionsPer5Min: 2 });
    await expect(connect('/ws/nosuchcoin@kline_1m')).rejects.toThrow('HTTP 400');
    await connect();
    await expect(connect()).rejects.toThrow('HTTP 429');
    expect(market.ws.connections.map((c) => c.status)).toEqual([400, 101, 429]);
  });
});

describe('faults', () => {
  it('drop: the socket dies without a close frame', async () => {
    await startMarket(60);
    const client = await connect();
    market.ws.dropConnections();
    await waitFor('the drop', () => client.closed !== undefined);
    expect(client.closed?.code).toBe(1006);
  });

  it('silence: the connection stays open and sends nothing while candles keep closing', async () => {
    await startMarket(600);
    const client = await connect();
    await waitFor('a first event', () => client.messages.length > 0);
    market.ws.silenceConnections();
    // Events already on the wire may still arrive; none can be about a candle still open at this instant.
    const openAtSilence = alignOpenTime('1m', market.clock.now());
    const other = await connect();
    await waitFor('3 closing events on a fresh connection', () => closing(other).length >= 3);
    expect(closing(other).some((k) => k.t >= openAtSilence)).toBe(true);
    expect(closing(client).filter((k) => k.t >= openAtSilence)).toEqual([]);
    expect(events(client).filter((e) => e.k.t > openAtSilence)).toEqual([]);
    expect(client.closed).toBeUndefined();
  });

  it('skip: exactly one closing event is missing', async () => {
    await startMarket(600);
    const client = await connect();
    await waitFor('a first closing event', () => closing(client).length >= 1);
    market.ws.skipClosingEvents(1);
    await waitFor('3 more closing events', () => closing(client).length >= 4);
    const opens = closing(client).map((k) => k.t);
    const steps = opens.slice(1).map((t, i) => (t - (opens[i] as number)) / 60_000);
    expect(steps.filter((s) => s === 2)).toHaveLength(1);
    expect(steps.every((s) => s === 1 || s === 2)).toBe(true);
  });

  it('serverShutdown: the event, then a close after the grace time', async () => {
    await startMarket(60);
    const client = await connect();
    market.ws.serverShutdown(1_000);
    await waitFor('the close', () => client.closed !== undefined);
    const shutdown = events(client).find((e) => e.e === 'serverShutdown');
    expect(shutdown?.E).toEqual(expect.any(Number));
    expect(client.closed?.code).toBe(1001);
  });

  it('junk: not JSON, a binary frame, a kline with a non-decimal price', async () => {
    await startMarket(1);
    const client = await connect();
    await waitFor('a first event', () => client.messages.length > 0);
    const before = client.messages.length;
    market.ws.sendJunk('not-json');
    market.ws.sendJunk('binary');
    market.ws.sendJunk('bad-kline');
    await waitFor('3 junk messages', () => client.messages.filter((m) => m === '{"e":"kline","E":' || Buffer.isBuffer(m) || (typeof m === 'string' && m.includes('"o":"NaN"'))).length === 3);
    expect(client.messages.length).toBeGreaterThanOrEqual(before + 3);
  });
});

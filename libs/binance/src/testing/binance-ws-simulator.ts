/**
 * Local stand-in for Binance's kline WebSocket streams (`/ws/<symbol>@kline_<interval>`): pushes
 * in-progress and closing kline events on the shared simulated clock, pings every 20 s of that
 * clock and drops a connection whose pong is a minute late, cuts every connection at 24 h, limits
 * connection attempts like Binance, and injects faults on demand.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { type WebSocket, WebSocketServer } from 'ws';

import { type KlineInterval, alignOpenTime, isKlineInterval, nextOpenTime, previousOpenTime } from '../kline-intervals';
import { CandleFactory, type TimeRange } from './simulated-candles';
import { SimulatedClock } from './simulated-clock';
import { klineEvent } from './simulated-kline-event';

export interface BinanceWsSimulatorOptions {
  /** Default 0 = a free port, always on 127.0.0.1. */
  port?: number;
  /** Same meaning (and default) as the REST simulator's: same seed, same candles. */
  seed?: number;
  symbols?: string[];
  /** The exchange clock; share it with the REST simulator. Default: real time. */
  clock?: SimulatedClock;
  /** Open-time ranges without klines (no closing event is sent for them). */
  gaps?: TimeRange[];
  /** Simulated ms between pings (Binance: 20 s). */
  pingIntervalMs?: number;
  /** Simulated ms a ping may stay unanswered before the connection is dropped (Binance: 1 min). */
  pongTimeoutMs?: number;
  /** Simulated lifetime of a connection (Binance: 24 h). */
  connectionLifetimeMs?: number;
  /** Connection attempts allowed per 5 real minutes (Binance: 300 per IP); more get HTTP 429. */
  maxConnectionsPer5Min?: number;
  /** Incoming frames (messages, pongs) per simulated second before a connection is dropped (Binance: 5). */
  maxIncomingPerSecond?: number;
  /**
   * Floor between two in-progress pushes in real ms: at high clock speeds the 1–2 s push period
   * would otherwise flood the client. Closing events are never throttled.
   */
  minRealPushGapMs?: number;
}

export interface WsConnectionRecord {
  /** Real time of the attempt. */
  at: number;
  path: string;
  /** 101 when upgraded, else the HTTP status answered. */
  status: number;
}

export type WsJunk = 'not-json' | 'bad-kline' | 'binary';

export interface BinanceWsSimulator {
  /** ws://127.0.0.1:<port> (streams at /ws/<name>) */
  url: string;
  readonly connections: WsConnectionRecord[];
  /** Connections open now. */
  openConnections(): number;
  /** Ping frames sent and matching pong frames received, over all connections. */
  readonly stats: { pings: number; pongs: number; klineEvents: number; closingEvents: number };
  /** Destroys every open connection without a close frame (a network failure). */
  dropConnections(): void;
  /** The connections open now keep their sockets but send nothing more (no data, no pings). */
  silenceConnections(): void;
  /** The next `count` closing (`x: true`) events are not sent. */
  skipClosingEvents(count?: number): void;
  /** Sends the serverShutdown event on every open connection, then closes them after `graceMs` simulated ms. */
  serverShutdown(graceMs?: number): void;
  /** Sends one malformed message on every open connection. */
  sendJunk(kind?: WsJunk): void;
  /** New connections are refused (HTTP 503) until the returned release() is called: a client that connects late. */
  refuseConnections(): () => void;
  close(): Promise<void>;
}

const DEFAULT_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'];
const DEFAULT_SEED = 20_240_101;
const FIVE_MINUTES = 300_000;
const STREAM_PATH = /^\/ws\/([a-z0-9\-_.]{1,20})@kline_([0-9]+[smhdwM])$/;

interface Connection {
  socket: WebSocket;
  symbol: string;
  interval: KlineInterval;
  openedAt: number;
  /** Open time of the oldest candle whose closing event is still due. */
  pendingOpen: number;
  nextPushAt: number;
  lastRealPush: number;
  nextPingAt: number;
  /** Payload and send time of the unanswered ping, if any. */
  awaitingPong?: { payload: string; sentAt: number };
  silent: boolean;
  incoming: number[];
  timer?: NodeJS.Timeout;
  closeAt?: number;
}

function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Starts the WebSocket simulator on 127.0.0.1 and resolves once it is listening. */
export async function startBinanceWsSimulator(opts: BinanceWsSimulatorOptions = {}): Promise<BinanceWsSimulator> {
  const clock = opts.clock ?? new SimulatedClock();
  const candles = new CandleFactory(opts.seed ?? DEFAULT_SEED);
  const symbols = new Set(opts.symbols ?? DEFAULT_SYMBOLS);
  const gaps = opts.gaps ?? [];
  const pingIntervalMs = opts.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 60_000;
  const lifetimeMs = opts.connectionLifetimeMs ?? 86_400_000;
  const maxAttempts = opts.maxConnectionsPer5Min ?? 300;
  const maxIncoming = opts.maxIncomingPerSecond ?? 5;
  const minRealPushGapMs = opts.minRealPushGapMs ?? 5;
  const connections: WsConnectionRecord[] = [];
  const stats = { pings: 0, pongs: 0, klineEvents: 0, closingEvents: 0 };
  const open = new Set<Connection>();
  let closingToSkip = 0;

  const inGap = (t: number) => gaps.some((g) => t >= g.from && t < g.to);
  const pushPeriod = (interval: KlineInterval) => (interval === '1s' ? 1_000 : 2_000);

  function send(c: Connection, payload: string | Buffer): void {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(payload);
  }

  function end(c: Connection): void {
    clearTimeout(c.timer);
    open.delete(c);
  }

  /** Everything due on this connection up to now, then the timer for the next due instant. */
  function tick(c: Connection): void {
    clearTimeout(c.timer);
    if (!open.has(c)) return;
    const now = clock.now();
    if (c.closeAt !== undefined && now >= c.closeAt) {
      c.socket.close(1001, 'server shutdown');
      return end(c);
    }
    if (now >= c.openedAt + lifetimeMs) {
      // Binance's daily cut: a plain close, no warning.
      c.socket.close(1000, 'connection lifetime reached');
      return end(c);
    }
    if (c.awaitingPong && now - c.awaitingPong.sentAt > pongTimeoutMs) {
      c.socket.terminate();
      return end(c);
    }
    const currentOpen = alignOpenTime(c.interval, now);
    while (c.pendingOpen < currentOpen) {
      const openTime = c.pendingOpen;
      c.pendingOpen = nextOpenTime(c.interval, openTime);
      if (c.silent || inGap(openTime)) continue;
      if (closingToSkip > 0) {
        closingToSkip--;
        continue;
      }
      send(c, JSON.stringify(klineEvent(candles, c.symbol, c.interval, openTime, now)));
      stats.klineEvents++;
      stats.closingEvents++;
    }
    const realNow = Date.now();
    if (now >= c.nextPushAt && realNow - c.lastRealPush >= minRealPushGapMs) {
      if (!c.silent && !inGap(currentOpen)) {
        send(c, JSON.stringify(klineEvent(candles, c.symbol, c.interval, currentOpen, now)));
        stats.klineEvents++;
      }
      c.lastRealPush = realNow;
      c.nextPushAt = now + pushPeriod(c.interval);
    }
    if (now >= c.nextPingAt) {
      c.nextPingAt = now + pingIntervalMs;
      if (!c.silent && c.socket.readyState === c.socket.OPEN) {
        const payload = String(now);
        // A newer ping replaces the one awaited: Binance only needs some recent pong.
        c.awaitingPong ??= { payload, sentAt: now };
        c.socket.ping(payload);
        stats.pings++;
      }
    }
    const dueAt = Math.min(c.nextPushAt, nextOpenTime(c.interval, currentOpen), c.nextPingAt, c.openedAt + lifetimeMs, c.closeAt ?? Infinity);
    const delay = Math.max(clock.realDelayUntil(dueAt), dueAt === c.nextPushAt ? minRealPushGapMs - (Date.now() - c.lastRealPush) : 0, 1);
    c.timer = setTimeout(() => tick(c), delay);
  }

  function accept(ws: WebSocket, symbol: string, interval: KlineInterval): void {
    const now = clock.now();
    const c: Connection = {
      socket: ws,
      symbol,
      interval,
      openedAt: now,
      pendingOpen: alignOpenTime(interval, now),
      nextPushAt: now,
      lastRealPush: 0,
      nextPingAt: now + pingIntervalMs,
      silent: false,
      incoming: [],
    };
    open.add(c);
    const countIncoming = () => {
      // Counted on the simulated clock, like the pings they answer.
      const at = clock.now();
      c.incoming = c.incoming.filter((t) => at - t < 1_000);
      c.incoming.push(at);
      // Over the limit Binance drops the connection.
      if (c.incoming.length > maxIncoming) {
        ws.terminate();
        end(c);
      }
    };
    ws.on('pong', (data) => {
      countIncoming();
      if (c.awaitingPong && data.toString('utf8') === c.awaitingPong.payload) {
        c.awaitingPong = undefined;
        stats.pongs++;
      }
    });
    ws.on('message', countIncoming);
    ws.on('close', () => end(c));
    ws.on('error', () => end(c));
    tick(c);
  }

  let refusing = false;
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: -1000, msg: 'WebSocket streams only.' }));
  });
  server.on('upgrade', (req, socket, head) => {
    const path = req.url ?? '/';
    const record: WsConnectionRecord = { at: Date.now(), path, status: 101 };
    connections.push(record);
    const recent = connections.filter((r) => record.at - r.at < FIVE_MINUTES).length;
    if (recent > maxAttempts) {
      record.status = 429;
      return rejectUpgrade(socket, 429, JSON.stringify({ code: -1003, msg: `Too many connection attempts: more than ${maxAttempts} per 5 minutes.` }));
    }
    if (refusing) {
      record.status = 503;
      return rejectUpgrade(socket, 503, JSON.stringify({ code: -1001, msg: 'Service unavailable (refusing connections).' }));
    }
    const match = STREAM_PATH.exec(path);
    const symbol = match?.[1]?.toUpperCase();
    const interval = match?.[2];
    if (!match || !symbol || !symbols.has(symbol) || !isKlineInterval(interval)) {
      record.status = 400;
      return rejectUpgrade(socket, 400, JSON.stringify({ code: -1121, msg: `Invalid stream path ${path}: expected /ws/<known symbol, lower case>@kline_<interval>.` }));
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, symbol, interval));
  });
  const unsubscribe = clock.onJump(() => {
    for (const c of open) tick(c);
  });

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    stats,
    openConnections: () => open.size,
    dropConnections() {
      for (const c of [...open]) {
        c.socket.terminate();
        end(c);
      }
    },
    silenceConnections() {
      for (const c of open) c.silent = true;
    },
    skipClosingEvents(count = 1) {
      closingToSkip += count;
    },
    serverShutdown(graceMs = 600_000) {
      const now = clock.now();
      for (const c of open) {
        send(c, JSON.stringify({ e: 'serverShutdown', E: now }));
        c.closeAt = now + graceMs;
        tick(c);
      }
    },
    refuseConnections() {
      refusing = true;
      return () => {
        refusing = false;
      };
    },
    sendJunk(kind = 'not-json') {
      const now = clock.now();
      for (const c of open) {
        if (kind === 'binary') send(c, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
        else if (kind === 'not-json') send(c, '{"e":"kline","E":');
        else {
          const event = klineEvent(candles, c.symbol, c.interval, previousOpenTime(c.interval, now), now);
          // A closed candle whose price is not a decimal string: must never be published.
          send(c, JSON.stringify({ ...event, k: { ...event.k, o: 'NaN' } }));
        }
      }
    },
    close() {
      unsubscribe();
      for (const c of [...open]) {
        c.socket.terminate();
        end(c);
      }
      return new Promise<void>((done) => {
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

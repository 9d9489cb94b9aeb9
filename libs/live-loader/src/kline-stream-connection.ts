/**
 * One WebSocket connection to a raw kline stream. Pings are answered by the ws library with a pong
 * carrying the ping's payload (its default, which is what Binance requires); this module counts
 * them, watches for silence, and reports how the connection ended.
 */
import WebSocket from 'ws';

export type StreamEnd =
  | { kind: 'error'; detail: string }
  | { kind: 'closed'; code: number; detail: string }
  | { kind: 'silent'; silentMs: number }
  | { kind: 'requested'; detail: string };

export interface KlineStreamConnectionConfig {
  url: string;
  /** No message and no ping for this long → the connection is treated as dead and dropped. */
  silenceTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export interface KlineStreamHandlers {
  onOpen(): void;
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(): void;
}

export interface KlineStreamConnection {
  /** Resolves once, when the connection is over, with why. */
  ended: Promise<StreamEnd>;
  /** Closes it (safe to call twice); `ended` resolves `requested`. */
  close(detail: string): void;
}

/** Opens the connection; failures to connect also resolve `ended` (never reject). */
export function openKlineStream(config: KlineStreamConnectionConfig, handlers: KlineStreamHandlers): KlineStreamConnection {
  const socket = new WebSocket(config.url, { handshakeTimeout: config.handshakeTimeoutMs, perMessageDeflate: false });
  let finish: (end: StreamEnd) => void = () => undefined;
  let over = false;
  const ended = new Promise<StreamEnd>((resolve) => {
    finish = (end) => {
      if (over) return;
      over = true;
      clearTimeout(watchdog);
      socket.removeAllListeners();
      // A late 'error' after terminate must not become an uncaught exception.
      socket.on('error', () => undefined);
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      resolve(end);
    };
  });
  let lastActivity = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  const watch = () => {
    const silentMs = Date.now() - lastActivity;
    if (silentMs >= config.silenceTimeoutMs) return finish({ kind: 'silent', silentMs });
    watchdog = setTimeout(watch, config.silenceTimeoutMs - silentMs);
  };
  const alive = () => (lastActivity = Date.now());

  socket.on('open', () => {
    alive();
    watchdog = setTimeout(watch, config.silenceTimeoutMs);
    handlers.onOpen();
  });
  socket.on('message', (data, isBinary) => {
    alive();
    handlers.onMessage(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer), isBinary);
  });
  socket.on('ping', () => {
    alive();
    handlers.onPing();
  });
  socket.on('unexpected-response', (_request, response) => finish({ kind: 'error', detail: `HTTP ${response.statusCode} on upgrade` }));
  socket.on('error', (error) => finish({ kind: 'error', detail: error.message }));
  socket.on('close', (code, reason) => finish({ kind: 'closed', code, detail: reason.toString('utf8') || '(no reason)' }));

  return {
    ended,
    close(detail) {
      if (over) return;
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, detail.slice(0, 100));
      finish({ kind: 'requested', detail });
    },
  };
}

/** `<base>/ws/<symbol lower case>@kline_<interval>` */
export function klineStreamUrl(baseUrl: string, symbol: string, interval: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/ws/${symbol.toLowerCase()}@kline_${interval}`;
}

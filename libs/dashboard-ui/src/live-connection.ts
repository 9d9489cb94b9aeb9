import { type BackoffOptions, RECONNECT_BACKOFF, reconnectDelay } from './backoff';

export type LiveStatus = { state: 'connecting' } | { state: 'live' } | { state: 'reconnecting'; attempt: number; retryAt: number } | { state: 'paused' };

export interface LiveHandlers {
  /** Every JSON message the server pushes. */
  onMessage(message: unknown): void;
  /** After each (re)connect: messages sent while disconnected are lost, so the caller re-syncs. */
  onOpen(): void;
  onStatus(status: LiveStatus): void;
}

export interface SocketEvents {
  open(): void;
  message(data: unknown): void;
  /** Also after a failed connect (browsers fire error, then close). */
  close(): void;
}

/** An open socket as this module needs it: something to close (a browser WebSocket; a fake in unit tests). */
export interface SocketLike {
  close(): void;
}

export interface LiveDeps {
  createSocket(url: string, on: SocketEvents): SocketLike;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  now(): number;
  backoff?: BackoffOptions;
  random?: () => number;
}

export interface LiveConnection {
  /** Closes the socket and stays disconnected until resume() (tests use it to simulate an outage). */
  pause(): void;
  resume(): void;
  close(): void;
}

/** Keeps one WebSocket open to `url`, reconnecting with jittered exponential backoff. */
export function connectLive(url: string, handlers: LiveHandlers, deps: LiveDeps): LiveConnection {
  let socket: SocketLike | undefined;
  let timer: unknown;
  let attempt = 0;
  let stopped = false;
  let paused = false;

  function open(): void {
    timer = undefined;
    handlers.onStatus({ state: 'connecting' });
    const current: SocketLike = deps.createSocket(url, {
      open: () => {
        if (socket !== current) return;
        attempt = 0;
        handlers.onStatus({ state: 'live' });
        handlers.onOpen();
      },
      message: (data) => {
        if (socket !== current || typeof data !== 'string') return;
        let message: unknown;
        try {
          message = JSON.parse(data);
        } catch {
          return; // the server only sends JSON; anything else is noise, not a reason to break
        }
        handlers.onMessage(message);
      },
      close: () => {
        if (socket !== current) return;
        socket = undefined;
        if (stopped || paused) return;
        const delay = reconnectDelay(attempt, deps.backoff ?? RECONNECT_BACKOFF, deps.random);
        attempt += 1;
        handlers.onStatus({ state: 'reconnecting', attempt, retryAt: deps.now() + delay });
        timer = deps.setTimer(open, delay);
      },
    });
    socket = current;
  }

  function drop(): void {
    if (timer !== undefined) deps.clearTimer(timer);
    timer = undefined;
    const current = socket;
    socket = undefined;
    current?.close();
  }

  open();
  return {
    pause() {
      paused = true;
      drop();
      handlers.onStatus({ state: 'paused' });
    },
    resume() {
      if (!paused || stopped) return;
      paused = false;
      attempt = 0;
      open();
    },
    close() {
      stopped = true;
      drop();
    },
  };
}

/** The queue-manager WebSocket beside the page (ws: or wss: like the page itself). */
export function liveUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/topic`;
}

/**
 * The subprotocols of /ws/topic: a browser cannot set an Authorization header on a WebSocket, so
 * the token travels as `bearer.<token>` (libs/queue-api's auth plugin); the server selects `streamforge.v1`.
 */
export function liveProtocols(token: string | undefined): string[] {
  return ['streamforge.v1', ...(token ? [`bearer.${token}`] : [])];
}

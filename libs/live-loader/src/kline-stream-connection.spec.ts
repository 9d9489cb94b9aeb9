import { type BinanceWsSimulator, SimulatedClock, startBinanceWsSimulator } from '@streamforge/binance/testing';
import { type KlineStreamConnection, klineStreamUrl, openKlineStream } from './kline-stream-connection';

let sim: BinanceWsSimulator | undefined;
let connection: KlineStreamConnection | undefined;

async function start(options: Parameters<typeof startBinanceWsSimulator>[0] = {}): Promise<BinanceWsSimulator> {
  sim = await startBinanceWsSimulator({ clock: new SimulatedClock({ start: Date.UTC(2024, 7, 1), speed: 400 }), ...options });
  return sim;
}

function open(server: BinanceWsSimulator, silenceTimeoutMs = 5_000, path = klineStreamUrl(server.url, 'BTCUSDT', '1m')) {
  const seen = { opened: 0, messages: 0, pings: 0 };
  connection = openKlineStream(
    { url: path, silenceTimeoutMs, handshakeTimeoutMs: 5_000 },
    { onOpen: () => seen.opened++, onMessage: () => seen.messages++, onPing: () => seen.pings++ },
  );
  return { seen, ended: connection.ended };
}

/** Polls `condition`; fails naming `what` after 15 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after 15 s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  connection?.close('test over');
  connection = undefined;
  await sim?.close();
  sim = undefined;
});

describe('openKlineStream', () => {
  it('builds the raw stream URL Binance documents', () => {
    expect(klineStreamUrl('wss://stream.binance.com:9443/', 'BTCUSDT', '1m')).toBe('wss://stream.binance.com:9443/ws/btcusdt@kline_1m');
  });

  it('answers pings with pongs (the simulator counts them) and delivers messages', async () => {
    const server = await start();
    const { seen } = open(server);
    await until('2 pongs', () => server.stats.pongs >= 2);
    expect(server.stats.pongs).toBeGreaterThanOrEqual(2);
    expect(seen).toMatchObject({ opened: 1 });
    expect(seen.pings).toBeGreaterThanOrEqual(2);
    expect(seen.messages).toBeGreaterThan(0);
  });

  it('ends as silent when neither a message nor a ping arrives in time', async () => {
    const server = await start();
    const { seen, ended } = open(server, 300);
    await until('the connection', () => seen.opened > 0);
    server.silenceConnections();
    await expect(ended).resolves.toMatchObject({ kind: 'silent' });
  });

  it('reports a server close with its code, and a refused upgrade as an error', async () => {
    const server = await start();
    const first = open(server);
    await until('the connection', () => first.seen.opened > 0);
    server.serverShutdown(0);
    await expect(first.ended).resolves.toMatchObject({ kind: 'closed', code: 1001 });
    await expect(open(server, 5_000, klineStreamUrl(server.url, 'NOSUCHCOIN', '1m')).ended).resolves.toEqual({ kind: 'error', detail: 'HTTP 400 on upgrade' });
  });

  it('close() ends it as requested, once', async () => {
    const { ended } = open(await start());
    connection?.close('stop');
    connection?.close('again');
    await expect(ended).resolves.toEqual({ kind: 'requested', detail: 'stop' });
  });
});

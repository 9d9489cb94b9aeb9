import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '@streamforge/logging';
import { createMetricsRegistry } from '@streamforge/metrics';
import { createQueueManagerMetrics } from '@streamforge/orchestrator';
import type { WsMessage } from '@streamforge/schemas';
import { WsHub } from './ws-hub';

const logger = createLogger({ service: 'test', level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(config: { heartbeatMs: number; maxBufferedBytes: number }) {
  const registry = createMetricsRegistry();
  const metrics = createQueueManagerMetrics(registry);
  const hub = new WsHub(config, { logger, metrics });
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => hub.add(socket));
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  cleanups.push(() => hub.close(), () => new Promise((resolve) => server.close(resolve)));
  return { hub, port, registry };
}

/** A client that completes the WebSocket handshake and then reads nothing (or, unpaused, ignores pings). */
async function rawClient(port: number, options: { paused: boolean }): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await new Promise<void>((resolve) => socket.once('data', (chunk: Buffer) => (chunk.toString().startsWith('HTTP/1.1 101') ? resolve() : undefined)));
  cleanups.push(() => socket.destroy());
  if (options.paused) socket.pause();
  else socket.on('data', () => undefined);
  return socket;
}

async function fastClient(port: number): Promise<{ socket: WebSocket; received: WsMessage[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  const received: WsMessage[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()) as WsMessage));
  await new Promise((resolve) => socket.once('open', resolve));
  cleanups.push(() => socket.terminate());
  return { socket, received };
}

const until = async (check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

function event(seq: number, padding: string): WsMessage {
  return {
    type: 'event',
    data: { queue_id: 'wf-q', producer: 'dummy-service__abc123', symbol: 'BTCUSDT', type: 'dummy', status: 'loading', event: 'loading', message: padding, records_written: seq, finished: false, timestamp: seq },
  };
}

describe('WebSocket hub', () => {
  it('drops a client that stops reading once its backlog passes the bound, while a reading client gets every message in order', async () => {
    const { hub, port, registry } = await setup({ heartbeatMs: 60_000, maxBufferedBytes: 256 * 1024 });
    await rawClient(port, { paused: true });
    const fast = await fastClient(port);
    await until(() => hub.size === 2);
    const padding = 'x'.repeat(8 * 1024);
    const total = 3_000; // ~24 MB: more than the kernel buffers hold on loopback
    for (let seq = 1; seq <= total; seq += 1) {
      hub.broadcast(event(seq, padding));
      // Let the event loop flush sockets now and then, as real broadcasts are spread over time.
      if (seq % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => fast.received.length === total || hub.size === 0, 45_000);
    expect(fast.received.map((m) => (m.type === 'event' ? m.data.records_written : -1))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(hub.size).toBe(1);
    expect(await registry.getSingleMetricAsString('streamforge_queue_manager_ws_dropped_total')).toMatch(/streamforge_queue_manager_ws_dropped_total\{reason="slow"\} 1/);
    expect(await registry.getSingleMetricAsString('streamforge_queue_manager_ws_clients')).toMatch(/streamforge_queue_manager_ws_clients 1/);
  });

  it('drops a client that does not answer the heartbeat ping', async () => {
    // A whole second to answer: the answering client shares this process, and on a loaded machine
    // its pong can wait behind the next tick of a much shorter heartbeat.
    const { hub, port, registry } = await setup({ heartbeatMs: 1_000, maxBufferedBytes: 1 << 20 });
    await rawClient(port, { paused: false });
    const fast = await fastClient(port);
    await until(() => hub.size === 2);
    await until(() => hub.size === 1);
    expect(fast.socket.readyState).toBe(WebSocket.OPEN);
    expect(await registry.getSingleMetricAsString('streamforge_queue_manager_ws_dropped_total')).toMatch(/reason="heartbeat"\} 1/);
  });
});

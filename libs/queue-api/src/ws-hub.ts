import type { WebSocket } from 'ws';
import type { Logger } from '@streamforge/logging';
import type { QueueManagerMetrics } from '@streamforge/orchestrator';
import type { WsMessage } from '@streamforge/schemas';

export interface WsHubConfig {
  /** Ping every client this often; one that did not answer the previous ping is dropped. */
  heartbeatMs: number;
  /** A client with more than this many bytes still queued is too slow: it is dropped. */
  maxBufferedBytes: number;
}

interface Client {
  socket: WebSocket;
  alive: boolean;
}

/**
 * Fans telemetry events and queue-state changes out to `/ws/topic` clients. Each message is
 * serialised once; a slow client is dropped rather than letting its backlog grow (or slowing the
 * others), and a silent one is found by the heartbeat.
 */
export class WsHub {
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(private readonly config: WsHubConfig, private readonly deps: { logger: Logger; metrics: QueueManagerMetrics }) {
    this.log = deps.logger.child({ component: 'ws-hub' });
    this.timer = setInterval(() => this.heartbeat(), config.heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket): void {
    const client: Client = { socket, alive: true };
    this.clients.add(client);
    this.deps.metrics.wsClients.set(this.clients.size);
    socket.on('pong', () => (client.alive = true));
    socket.on('error', (error) => this.log.debug({ err: error.message }, 'websocket client error'));
    socket.on('close', () => this.remove(client));
  }

  broadcast(message: WsMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const client of this.clients) {
      if (client.socket.readyState !== client.socket.OPEN) continue;
      if (client.socket.bufferedAmount > this.config.maxBufferedBytes) {
        this.drop(client, 'slow');
        continue;
      }
      client.socket.send(text);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
    this.deps.metrics.wsClients.set(0);
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.drop(client, 'heartbeat');
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  private drop(client: Client, reason: 'slow' | 'heartbeat'): void {
    this.log.warn({ reason, bufferedBytes: client.socket.bufferedAmount }, 'dropping websocket client');
    this.deps.metrics.wsDropped.inc({ reason });
    // close() would queue its frame behind the backlog (or wait for a dead peer): cut off at once.
    client.socket.terminate();
    this.remove(client);
  }

  private remove(client: Client): void {
    if (this.clients.delete(client)) this.deps.metrics.wsClients.set(this.clients.size);
  }
}

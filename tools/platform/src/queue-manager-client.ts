import WebSocket from 'ws';
import { wsMessageSchema, type QueueState, type StartQueueResult, type TelemetryEvent } from '@streamforge/schemas';

/** A small client of the queue-manager API, as a user's script would use it. */
export class QueueManagerClient {
  /** `token`: an API token or OIDC access token, sent as a bearer (default: $STREAMFORGE_TOKEN). */
  constructor(readonly apiUrl: string, private readonly token: string | undefined = process.env.STREAMFORGE_TOKEN || undefined) {}

  private get authorization(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async startFlow(body: { flow_name: string; symbol: string; time_range: string; extra_params?: Record<string, unknown> }): Promise<StartQueueResult> {
    return this.call<StartQueueResult>('POST', '/queues/start-test-flow', body);
  }

  /** `POST /queues/start`: the simple shape, or targets; an open-ended time_range starts a live queue. */
  async startQueue(body: { symbol: string; time_range: string; type?: string; targets?: Array<Record<string, unknown>> }): Promise<StartQueueResult> {
    return this.call<StartQueueResult>('POST', '/queues/start', body);
  }

  async getQueue(queueId: string): Promise<QueueState> {
    return this.call<QueueState>('GET', `/queues/${encodeURIComponent(queueId)}`);
  }

  async stopQueue(queueId: string): Promise<QueueState> {
    return this.call<QueueState>('POST', '/queues/stop', { queue_id: queueId });
  }

  /**
   * Follows one queue over `/ws/topic`: every state change and telemetry event, reconnecting
   * (and re-reading the state) when the socket drops. Returns a function that stops watching.
   */
  watch(queueId: string, handlers: { onState(state: QueueState): void; onEvent?(event: TelemetryEvent): void }): () => void {
    let socket: WebSocket | undefined;
    let closed = false;
    const connect = () => {
      socket = new WebSocket(`${this.apiUrl.replace(/^http/, 'ws')}/ws/topic`, { headers: this.authorization });
      socket.on('open', () => void this.getQueue(queueId).then(handlers.onState, () => undefined));
      socket.on('message', (raw) => {
        const parsed = wsMessageSchema.safeParse(JSON.parse(raw.toString()));
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'queue' && message.data.queue_id === queueId) handlers.onState(message.data);
        if (message.type === 'event' && message.data.queue_id === queueId) handlers.onEvent?.(message.data);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!closed) setTimeout(connect, 1_000);
      });
    };
    connect();
    return () => {
      closed = true;
      socket?.close();
    };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { ...this.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const envelope = (await response.json()) as { status: string; message: string; data: unknown };
    if (!response.ok || envelope.status !== 'success') {
      throw new Error(`${method} ${path} → ${response.status}: ${envelope.message}${envelope.data ? ` ${JSON.stringify(envelope.data)}` : ''}`);
    }
    return envelope.data as T;
  }
}

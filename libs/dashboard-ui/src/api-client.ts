import type { CandlePage, FieldError, QueueState, StartFlowRequest, StartQueueResult } from '@streamforge/schemas';

/** A non-2xx answer (or no answer) from queue-manager, with the envelope's per-field reasons. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status; 0 when queue-manager could not be reached. */
    readonly status: number,
    readonly fieldErrors: FieldError[] = [],
    /** The accepted names when a name (flow, target) was unknown. */
    readonly known: string[] = [],
  ) {
    super(message);
  }
}

export interface CandlePageQuery {
  collection: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface ApiClient {
  listQueues(): Promise<QueueState[]>;
  startFlow(request: StartFlowRequest): Promise<StartQueueResult>;
  stopQueue(queueId: string): Promise<void>;
  candlePage(query: CandlePageQuery): Promise<CandlePage>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: Fetch;
  /** The bearer token to send, when there is one. */
  token?: () => string | undefined;
  /** Called on every 401 (no token, or it expired): the page asks for one. */
  onUnauthorized?: (message: string) => void;
}

/** The queue-manager REST API as the dashboard uses it (same origin by default). */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const fetchImpl: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    const token = options.token?.();
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(`queue-manager unreachable: ${(error as Error).message}`, 0);
    }
    const envelope = (await response.json().catch(() => undefined)) as
      | { status?: string; message?: string; data?: { errors?: FieldError[]; known?: string[] } | null }
      | undefined;
    if (!response.ok || envelope?.status !== 'success') {
      const message = envelope?.message ?? `${method} ${path} answered HTTP ${response.status}`;
      if (response.status === 401) options.onUnauthorized?.(message);
      throw new ApiError(message, response.status, envelope?.data?.errors ?? [], envelope?.data?.known ?? []);
    }
    return envelope.data as T;
  }

  return {
    listQueues: () => call<QueueState[]>('GET', '/queues'),
    startFlow: (request) => call<StartQueueResult>('POST', '/queues/start-test-flow', request),
    stopQueue: async (queueId) => {
      await call<unknown>('POST', '/queues/stop', { queue_id: queueId });
    },
    candlePage: (query) => {
      const params = new URLSearchParams({ collection: query.collection });
      if (query.from !== undefined) params.set('from', String(query.from));
      if (query.to !== undefined) params.set('to', String(query.to));
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      return call<CandlePage>('GET', `/candles?${params.toString()}`);
    },
  };
}

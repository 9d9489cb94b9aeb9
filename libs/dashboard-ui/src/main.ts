import './styles.css';
import { createApiClient } from './api-client';
import { CandleChart } from './candle-chart';
import { h } from './dom';
import { connectLive, type LiveStatus, liveProtocols, liveUrl } from './live-connection';
import { QueueDetail } from './queue-detail';
import { QueueStore } from './queue-store';
import { QueueTable } from './queue-table';
import { StartFlowForm } from './start-flow-form';
import { installHook } from './test-hook';
import { sessionToken, TokenPrompt } from './token-prompt';

const RESYNC_RETRY_MS = 2_000;

const prompt = new TokenPrompt(() => {
  notice.hidden = true;
  live.resume();
});
const client = createApiClient({
  token: sessionToken.get,
  // No token, or it expired: stop reconnecting with it and ask for another.
  onUnauthorized: (message) => {
    sessionToken.clear();
    live.pause();
    prompt.ask(message);
  },
});
const store = new QueueStore();
let selectedId: string | undefined;
let liveStatus: LiveStatus = { state: 'connecting' };
let resyncs = 0;
let connectionGeneration = 0;

const connection = h('span', { class: 'connection', 'data-state': 'connecting', role: 'status' }, 'connecting…');
const notice = h('div', { class: 'notice', role: 'alert', hidden: true });
const table = new QueueTable({
  select: (queueId) => select(queueId),
  stop: async (queueId) => {
    try {
      await client.stopQueue(queueId);
    } catch (error) {
      showNotice(`Stop ${queueId}: ${(error as Error).message}`);
    }
  },
  chart: (queueId, collection) => {
    void chart.show(queueId, collection);
    chart.element.scrollIntoView({ behavior: 'smooth', block: 'start' });
  },
});
const detail = new QueueDetail(() => select(undefined));
const chart = new CandleChart(client, () => chart.hide());
const form = new StartFlowForm(
  (request) => client.startFlow(request),
  (started) => select(started.queue_id),
);

function select(queueId: string | undefined): void {
  selectedId = queueId;
  scheduleRender();
}

function showNotice(text: string): void {
  notice.textContent = text;
  notice.hidden = false;
}

let renderPending = false;
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  // One DOM update per frame however many messages arrive (a load sends hundreds per second).
  requestAnimationFrame(() => {
    renderPending = false;
    table.render(store.list(), selectedId);
    chart.follow(store.list());
    detail.show(selectedId === undefined ? undefined : store.get(selectedId), selectedId === undefined ? { events: [], total: 0 } : store.eventLog(selectedId));
  });
}

function showConnection(status: LiveStatus): void {
  liveStatus = status;
  connection.dataset.state = status.state;
  connection.textContent = {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: status.state === 'reconnecting' ? `reconnecting (attempt ${status.attempt})…` : '',
    paused: 'offline (paused)',
  }[status.state];
}

async function resync(generation: number): Promise<void> {
  resyncs += 1;
  try {
    store.resync(await client.listQueues());
    notice.hidden = true;
  } catch (error) {
    if (generation !== connectionGeneration) return;
    showNotice(`Could not load the queue list: ${(error as Error).message}; retrying.`);
    setTimeout(() => generation === connectionGeneration && void resync(generation), RESYNC_RETRY_MS);
  }
}

store.subscribe((change) => {
  if (change.kind === 'queues' || change.queueId === selectedId) scheduleRender();
});

const live = connectLive(
  liveUrl(window.location),
  {
    onMessage: (message) => store.applyMessage(message),
    onOpen: () => void resync(++connectionGeneration),
    onStatus: (status) => {
      if (status.state !== 'live') connectionGeneration += 1;
      showConnection(status);
    },
  },
  {
    createSocket: (url, on) => {
      const socket = new WebSocket(url, liveProtocols(sessionToken.get()));
      socket.onopen = () => on.open();
      socket.onmessage = (event) => on.message(event.data);
      socket.onclose = () => on.close();
      return socket;
    },
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => Date.now(),
  },
);

// The socket cannot tell why a handshake failed: a REST call finds out whether a token is needed.
client.listQueues().then((queues) => store.resync(queues), () => undefined);

installHook({
  chart: () => ({ collection: chart.collection, state: chart.state, candlesDrawn: chart.candlesDrawn, indicators: chart.indicators() }),
  connection: () => liveStatus,
  queues: () => store.list(),
  resyncs: () => resyncs,
  pauseLive: () => live.pause(),
  resumeLive: () => live.resume(),
});

document.body.append(
  h('header', { class: 'top' }, h('h1', {}, 'StreamForge'), h('span', { class: 'subtitle' }, 'queues'), connection, h('a', { href: '/docs', class: 'docs-link' }, 'API docs')),
  h('main', {}, prompt.element, notice, form.element, table.element, detail.element, chart.element),
);
scheduleRender();

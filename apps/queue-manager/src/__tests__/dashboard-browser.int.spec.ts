/**
 * The dashboard in a real browser (Debian's Chromium, headless, via playwright-core) against a real
 * queue-manager bundle with the local launcher, a real Kafka broker, the Binance simulator and the
 * embedded store. Screenshots land in test-artifacts/dashboard/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { type BinanceSimulator, startBinanceSimulator } from '@streamforge/binance/testing';
import { CHROMIUM_PATH, type HeadlessChromium, launchHeadlessChromium } from '@streamforge/dashboard-ui/testing';
import { testBootstrapServers, uniqueName } from '@streamforge/kafka/testing';
import type { QueueState } from '@streamforge/schemas';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';
import { writeApiTokenFile } from '@streamforge/queue-api/testing';

const ARTIFACTS = join(__dirname, '..', '..', '..', '..', 'test-artifacts', 'dashboard');
const RANGE = '2024-08-01:2024-08-01';

let simulator: BinanceSimulator;
let queueManager: WorkerProcess;
let baseUrl: string;
let sqlitePath: string;
let browser: HeadlessChromium;
let page: Page;
/** Console errors and uncaught page errors, except the ones a step declares it provokes. */
const consoleProblems: string[] = [];
let expectedConsoleErrors: RegExp[] = [];
// Authentication is on, as in a cluster: the page asks for this operator token.
const apiTokens = writeApiTokenFile(['operator']);
const auth = { authorization: `Bearer ${apiTokens.tokens.operator}` };

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: \`npm test\` installs it (pretest); alone, run \`node tools/scripts/ensure-chromium.mjs\``);
  mkdirSync(ARTIFACTS, { recursive: true });
  simulator = await startBinanceSimulator();
  sqlitePath = join(mkdtempSync(join(tmpdir(), 'dashboard-e2e-')), 'streamforge.db');
  queueManager = startWorkerProcess(bundlePath('apps', 'queue-manager'), [], {
    KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(),
    PORT: '0',
    HOST: '127.0.0.1',
    STORE: 'sqlite',
    SQLITE_PATH: sqlitePath,
    LAUNCHER: 'local',
    QUEUE_CONTROL_TOPIC: uniqueName('control'),
    QUEUE_EVENTS_TOPIC: uniqueName('events'),
    QM_CONSUMER_GROUP: uniqueName('qm'),
    BINANCE_BASE_URL: simulator.url,
    STOP_REPEAT_MS: '500',
    // The loader sends each page as it comes (not 5,000 candles at a time): a held page leaves the first one stored.
    LOADER_BATCH_SIZE: '200',
    API_TOKENS_FILE: apiTokens.path,
  });
  const listening = await queueManager.waitForOutput(/queue-manager listening/, 30_000);
  baseUrl = `http://127.0.0.1:${(JSON.parse(listening) as { port: number }).port}`;
  browser = await launchHeadlessChromium({ width: 1366, height: 900 });
  page = await browser.context.newPage();
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const line = `${message.text()} (${message.location().url})`;
    if (!expectedConsoleErrors.some((pattern) => pattern.test(line))) consoleProblems.push(line);
  });
  page.on('pageerror', (error) => consoleProblems.push(`uncaught: ${error.message}`));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  queueManager?.kill('SIGTERM');
  if (queueManager) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([queueManager.exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
  }
  killAllWorkerProcesses();
  await simulator?.close();
});

afterEach(() => {
  expect(consoleProblems).toEqual([]);
});

const row = (queueId: string) => page.locator(`tr[data-queue-id="${queueId}"]`);
const statusOf = (queueId: string) => row(queueId).locator('td.status');
/** Waits until the queue's row shows one of the statuses (the page is never reloaded). */
const rowStatus = (queueId: string, ...statuses: string[]) =>
  row(queueId).locator(statuses.map((status) => `td.status[data-status=${status}]`).join(', ')).waitFor({ timeout: 40_000 });
/** Reads the page's test hook (window.__streamforge, see libs/dashboard-ui/src/test-hook.ts). */
const hook = <T>(expression: string) => page.evaluate<T>(`window.__streamforge.${expression}`);

async function submitFlow(fields: { flow: string; symbol: string; interval: string; range: string }): Promise<void> {
  await page.fill('input[name=flow_name]', fields.flow);
  await page.fill('input[name=symbol]', fields.symbol);
  await page.selectOption('select[name=interval]', fields.interval);
  await page.fill('input[name=time_range]', fields.range);
  await page.click('form.start-flow button[type=submit]');
}

async function startFlowFromForm(fields: { flow: string; symbol: string; interval: string; range: string }): Promise<string> {
  await submitFlow(fields);
  const started = await page.locator('.form-result').filter({ hasText: /^Started / }).textContent({ timeout: 15_000 });
  return (started as string).replace(/^Started /, '');
}

async function apiQueue(queueId: string): Promise<QueueState> {
  const response = await fetch(`${baseUrl}/queues/${queueId}`, { headers: auth });
  return ((await response.json()) as { data: QueueState }).data;
}

describe('dashboard in a browser', () => {
  it('loads with a title, fast, from queue-manager alone, asks for a token, and goes live with it', async () => {
    // Before the token: the API and the WebSocket handshake answer 401.
    expectedConsoleErrors = [/status of 401/, /WebSocket connection to .* failed/];
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(baseUrl);
    expect(await page.title()).toBe('StreamForge dashboard');
    await page.locator('.token-form:not([hidden])').waitFor({ timeout: 10_000 });
    expect(await page.locator('.token-form .form-error').textContent()).toMatch(/^authentication required/);
    await page.fill('.token-form input[name=token]', apiTokens.tokens.operator);
    await page.click('.token-form button[type=submit]');
    await page.locator('.connection[data-state=live]').waitFor({ timeout: 10_000 });
    expect(await page.locator('.token-form').isHidden()).toBe(true);
    // Everything is served by queue-manager: no CDN, no third-party request.
    expect(requests.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('ws://127.0.0.1'))).toEqual([]);
    const loadMs = await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd");
    process.stdout.write(`dashboard load event after ${loadMs.toFixed(0)} ms\n`);
    // A budget, not a benchmark: the printed figure is the measure; this fails on a page that
    // blocks (a stalled request, a script waiting on the network), not on a busy machine.
    expect(loadMs).toBeLessThan(10_000);
    // Marks this document: if anything below reloaded the page, the mark would be gone.
    await page.evaluate('window.noReload = true');
  });

  it('shows the API\u2019s own validation message under the field', async () => {
    expectedConsoleErrors = [/status of 400 .*\/queues\/start-test-flow/];
    await submitFlow({ flow: 'default_candles_flow', symbol: 'btcusdt', interval: '1m', range: '2024-08-02:2024-08-01' });
    await page.locator('#error-symbol').filter({ hasText: 'uppercase letters and digits only' }).waitFor();
    expect(await page.locator('#error-symbol').textContent()).toBe('uppercase letters and digits only, 2 to 20 characters (e.g. BTCUSDT) (got "btcusdt")');
    expect(await page.locator('#error-time_range').textContent()).toMatch(/^inverted: the start 2024-08-02 is after the end 2024-08-01/);
    expect(await page.getAttribute('input[name=symbol]', 'aria-invalid')).toBe('true');
    await submitFlow({ flow: 'no_such_flow', symbol: 'BTCUSDT', interval: '1m', range: RANGE });
    await page.locator('#error-flow_name').filter({ hasText: 'known flows:' }).waitFor();
    expect(await page.locator('#error-flow_name').textContent()).toContain('default_candles_flow');
    expectedConsoleErrors = [];
  });

  it('starts a candle flow, follows it live to finished with full bars, and charts every stored candle', async () => {
    const queueId = await startFlowFromForm({ flow: 'default_candles_flow', symbol: 'BTCUSDT', interval: '1m', range: RANGE });
    await rowStatus(queueId, 'finished');
    const bars = row(queueId).locator('.target');
    expect(await bars.evaluateAll((elements) => elements.map((e) => [e.getAttribute('data-target'), e.getAttribute('data-percent')]))).toEqual([
      ['loader-api-candles', '100'],
      ['arango-candles', '100'],
    ]);
    expect(await page.evaluate('window.noReload')).toBe(true);
    await row(queueId).screenshot({ path: join(ARTIFACTS, 'finished-queue.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'finished-queue-page.png'), fullPage: true });

    const collection = (await apiQueue(queueId)).targets.find((t) => t.target === 'arango-candles')?.collection_name as string;
    await row(queueId).locator(`button.chart[data-collection="${collection}"]`).click();
    const chart = page.locator('.candle-chart[data-state=ready]');
    await chart.waitFor({ timeout: 15_000 });
    const drawn = Number(await chart.getAttribute('data-candles-drawn'));
    const store = createSqliteDocumentStore({ path: sqlitePath });
    const stored = await store.count(collection);
    const documents = await store.findRange(collection, { field: 'open_time' });
    await store.close();
    expect(stored).toBe(1440);
    expect(drawn).toBe(stored);
    // Every indicator the sink stored is drawn, one point per candle with a value (none in warm-up), all shown.
    const fields = ['EMA_50', 'EMA_200', 'RSI_14', 'VWAP_D', 'ATR_30'];
    const storedPoints = Object.fromEntries(fields.map((field) => [field, { points: documents.filter((d) => typeof d[field] === 'number').length, visible: true }]));
    expect(storedPoints.EMA_200.points).toBe(1440 - 199);
    expect(await hook('chart()')).toEqual({ collection, state: 'ready', candlesDrawn: stored, indicators: storedPoints });
    // Each line is toggleable.
    await page.locator('.indicator-toggles input[data-indicator=RSI_14]').uncheck();
    expect((await hook<{ indicators: Record<string, { visible: boolean }> }>('chart()')).indicators.RSI_14.visible).toBe(false);
    await page.locator('.indicator-toggles input[data-indicator=RSI_14]').check();
    expect((await hook<{ indicators: Record<string, { visible: boolean }> }>('chart()')).indicators.RSI_14.visible).toBe(true);
    await page.locator('.chart-panel').screenshot({ path: join(ARTIFACTS, 'candle-chart.png') });
  });

  it('the chart of a running load grows as the sink stores candles, without a reload', async () => {
    // SOLUSDT's first klines page is answered, the rest held until the chart has drawn it.
    const release = simulator.holdKlines((query) => query.symbol === 'SOLUSDT' && Number(query.startTime) > Date.parse('2024-08-01T00:00:00Z'));
    let firstDrawn: number;
    try {
      const queueId = await startFlowFromForm({ flow: 'default_candles_flow', symbol: 'SOLUSDT', interval: '1m', range: RANGE });
      const sinkOf = async () => (await apiQueue(queueId)).targets.find((t) => t.target === 'arango-candles');
      let sink = await sinkOf();
      for (const deadline = Date.now() + 30_000; (sink?.records_written ?? 0) === 0; sink = await sinkOf()) {
        if (Date.now() > deadline) throw new Error(`the sink of ${queueId} stored nothing within 30 s: ${JSON.stringify(sink)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await row(queueId).locator(`button.chart[data-collection="${sink?.collection_name}"]`).click();
      await page.locator('.candle-chart[data-state=ready]').waitFor({ timeout: 15_000 });
      firstDrawn = (await hook<{ candlesDrawn: number }>('chart()')).candlesDrawn;
      expect(firstDrawn).toBeGreaterThan(0);
      expect(firstDrawn).toBeLessThan(1440);
    } finally {
      release();
    }
    // No click, no reload: the queue updates over /ws/topic make the chart read what was stored since.
    let drawn = firstDrawn;
    for (const deadline = Date.now() + 40_000; drawn !== 1440; drawn = (await hook<{ candlesDrawn: number }>('chart()')).candlesDrawn) {
      if (Date.now() > deadline) throw new Error(`the chart still draws ${drawn} candles 40 s after the load was released, not 1440`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await page.evaluate('window.noReload')).toBe(true);
  });

  it('shows each sink replica as its own line under its target, in the row and the detail', async () => {
    const response = await fetch(`${baseUrl}/queues/start`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ symbol: 'BNBUSDT', type: 'api_candles_1m', time_range: '2024-08-01T00:00Z/2024-08-01T02:00Z', targets: [{ target: 'loader-api-candles' }, { target: 'arango-candles', replicas: 2 }] }),
    });
    expect(response.status).toBe(201);
    const queueId = ((await response.json()) as { data: { queue_id: string } }).data.queue_id;
    await rowStatus(queueId, 'finished');
    const lines = row(queueId).locator('.target');
    expect(await lines.evaluateAll((elements) => elements.map((e) => [e.getAttribute('data-target'), e.getAttribute('data-instance'), e.querySelector('.target-name')?.textContent]))).toEqual([
      ['loader-api-candles', null, 'loader-api-candles'],
      ['arango-candles', null, 'arango-candles'],
      ['arango-candles', '1/2', '\u21b3 1/2'],
      ['arango-candles', '2/2', '\u21b3 2/2'],
    ]);
    await row(queueId).locator('button.detail').click();
    const detailRows = page.locator(`.detail[data-queue-id="${queueId}"] table.targets tbody tr`);
    await detailRows.nth(3).waitFor({ timeout: 10_000 });
    expect(await detailRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance')))).toEqual([null, null, '1/2', '2/2']);
  });

  it('stops a running flow from its row and shows interrupted', async () => {
    const queueId = await startFlowFromForm({ flow: 'dummy_flow', symbol: 'BTCUSDT', interval: '', range: RANGE });
    await rowStatus(queueId, 'started', 'loading');
    await row(queueId).locator('button.stop').click();
    await rowStatus(queueId, 'interrupted');
    expect(await row(queueId).locator('button.stop').isHidden()).toBe(true);
    // The detail panel logged the worker's telemetry live.
    await row(queueId).locator('button.detail').click();
    const log = page.locator(`.detail[data-queue-id="${queueId}"] .event-log li`);
    expect(await log.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))).toEqual(expect.arrayContaining(['started', 'interrupted']));
  });

  it('reconnects after losing the WebSocket and re-syncs what it missed from GET /queues', async () => {
    const queueId = await startFlowFromForm({ flow: 'dummy_flow', symbol: 'ETHUSDT', interval: '', range: RANGE });
    await rowStatus(queueId, 'started', 'loading');
    const resyncsBefore = await hook<number>('resyncs()');
    await hook('pauseLive()');
    await page.locator('.connection[data-state=paused]').waitFor();
    const stop = await fetch(`${baseUrl}/queues/stop`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ queue_id: queueId }) });
    expect(stop.status).toBe(200);
    for (let deadline = Date.now() + 20_000; (await apiQueue(queueId)).status !== 'interrupted'; ) {
      if (Date.now() > deadline) throw new Error(`${queueId} did not become interrupted`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Offline, the page cannot know yet.
    expect(await statusOf(queueId).getAttribute('data-status')).not.toBe('interrupted');
    await hook('resumeLive()');
    await rowStatus(queueId, 'interrupted');
    expect(await hook<number>('resyncs()')).toBe(resyncsBefore + 1);
    await page.locator('.connection[data-state=live]').waitFor();
  });
});

import { CandlestickSeries, type CandlestickData, createChart, HistogramSeries, type HistogramData, type IChartApi, type ISeriesApi, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import type { QueueState, StoredCandle } from '@streamforge/schemas';
import { ApiError, type ApiClient } from './api-client';
import { loadAllCandles } from './candle-loader';
import { h } from './dom';
import { indicatorFieldsOf, indicatorPane, toIndicatorSeries } from './indicator-series';
import { collectionFreshness, formatCount, formatUtc } from './queue-format';

export type ChartState = 'idle' | 'loading' | 'ready' | 'empty' | 'error';

const UP = '#26a69a';
const DOWN = '#ef5350';
const LINE_COLORS = ['#1e88e5', '#8e24aa', '#f4511e', '#6d4c41', '#00897b', '#c0ca33', '#5e35b1'];

/** What the chart draws of one indicator, for the test hook: points with a value, and whether its line is shown. */
export interface DrawnIndicator {
  points: number;
  visible: boolean;
}

/** Converts stored candles to the two series, skipping any time that does not move forward (the chart requires strictly ascending times). */
export function toSeries(candles: readonly StoredCandle[]): { bars: CandlestickData<UTCTimestamp>[]; volumes: HistogramData<UTCTimestamp>[] } {
  const bars: CandlestickData<UTCTimestamp>[] = [];
  const volumes: HistogramData<UTCTimestamp>[] = [];
  let last = -Infinity;
  for (const candle of candles) {
    if (candle.open_time <= last) continue;
    last = candle.open_time;
    const time = (candle.open_time / 1000) as UTCTimestamp;
    bars.push({ time, open: candle.open, high: candle.high, low: candle.low, close: candle.close });
    volumes.push({ time, value: candle.volume, color: candle.close >= candle.open ? `${UP}80` : `${DOWN}80` });
  }
  return { bars, volumes };
}

/**
 * A queue's stored candles as a candlestick chart with a volume histogram underneath. The number
 * of bars the chart holds is published in `data-candles-drawn` (and the test hook) so a test can
 * compare it with the store.
 */
export class CandleChart {
  readonly element: HTMLElement;
  private readonly title = h('h2', {});
  private readonly status = h('p', { class: 'chart-status', role: 'status' });
  private readonly container = h('div', { class: 'candle-chart', 'data-state': 'idle' });
  private chart: IChartApi | undefined;
  private candleSeries: ISeriesApi<'Candlestick'> | undefined;
  private volumeSeries: ISeriesApi<'Histogram'> | undefined;
  private indicatorSeries = new Map<string, ISeriesApi<'Line'>>();
  private readonly toggles = h('div', { class: 'indicator-toggles', role: 'group', 'aria-label': 'Indicators' });
  private generation = 0;
  /** The candles drawn, oldest first (what a refresh appends to). */
  private candles: StoredCandle[] = [];
  private truncated = false;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  /** collectionFreshness at the last load: a change means the sink stored more candles. */
  private freshness: string | undefined;
  collection: string | undefined;
  candlesDrawn = 0;
  state: ChartState = 'idle';

  constructor(private readonly client: Pick<ApiClient, 'candlePage'>, onClose: () => void) {
    this.element = h(
      'section',
      { class: 'panel chart-panel', 'aria-label': 'Candle chart', hidden: true },
      h('div', { class: 'panel-head' }, this.title, h('button', { type: 'button', class: 'close', onclick: onClose, 'aria-label': 'close chart' }, 'Close')),
      this.status,
      this.toggles,
      this.container,
    );
  }

  /** Each indicator line drawn: points with a value and visibility (test hook). */
  indicators(): Record<string, DrawnIndicator> {
    const drawn: Record<string, DrawnIndicator> = {};
    for (const [field, series] of this.indicatorSeries) {
      drawn[field] = { points: series.data().filter((point) => 'value' in point).length, visible: series.options().visible };
    }
    return drawn;
  }

  /**
   * Called with every queue update: when the sink writing the charted collection stored more
   * candles (a running load, a live queue), the newer candles are read and drawn, no reload needed.
   */
  follow(queues: readonly QueueState[]): void {
    // While the first load runs, the change is picked up by the next update after it.
    if (this.collection === undefined || this.state === 'loading') return;
    const freshness = collectionFreshness(queues, this.collection);
    if (freshness === this.freshness) return;
    this.freshness = freshness;
    this.refresh();
  }

  /** Reads the candles stored after the newest one drawn and redraws; one read at a time, the last request wins. */
  private refresh(): void {
    // After an error (a 404 before the sink's first write, say) the next stored candles are read too.
    if (this.state === 'idle' || this.state === 'loading' || this.truncated) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.appendNewer().finally(() => {
      this.refreshing = undefined;
      if (!this.refreshAgain) return;
      this.refreshAgain = false;
      this.refresh();
    });
  }

  private async appendNewer(): Promise<void> {
    const generation = this.generation;
    const collection = this.collection as string;
    const newest = this.candles.at(-1)?.open_time;
    try {
      const loaded = await loadAllCandles(this.client, collection, { from: newest === undefined ? undefined : newest + 1, cancelled: () => generation !== this.generation });
      if (generation !== this.generation || loaded.candles.length === 0) return;
      this.candles.push(...loaded.candles);
      this.truncated = loaded.truncated;
      this.draw(collection, false);
    } catch {
      // A failed refresh leaves the chart as it is; the next update tries again.
      this.freshness = undefined;
    }
  }

  async show(queueId: string, collection: string): Promise<void> {
    const generation = ++this.generation;
    this.candles = [];
    this.truncated = false;
    this.freshness = undefined;
    this.element.hidden = false;
    this.collection = collection;
    this.title.textContent = `Candles of ${queueId}`;
    this.setState('loading', `Loading ${collection}…`, 0);
    this.ensureChart();
    this.candleSeries?.setData([]);
    this.volumeSeries?.setData([]);
    this.clearIndicators();
    try {
      const loaded = await loadAllCandles(this.client, collection, {
        onPage: (count) => generation === this.generation && this.setState('loading', `Loading ${collection}: ${formatCount(count)} candles…`, 0),
        cancelled: () => generation !== this.generation,
      });
      if (generation !== this.generation) return;
      this.candles = loaded.candles;
      this.truncated = loaded.truncated;
      this.draw(collection, true);
    } catch (error) {
      if (generation !== this.generation) return;
      const reason = error instanceof ApiError && error.status === 404 ? `${collection} does not exist (yet): no candle was stored.` : `Could not load ${collection}: ${(error as Error).message}`;
      this.setState('error', reason, 0);
    }
  }

  /** Draws `this.candles` (bars, volumes, indicators); `fit` frames them all (a first load). */
  private draw(collection: string, fit: boolean): void {
    const candles = this.candles;
    const { bars, volumes } = toSeries(candles);
    this.candleSeries?.setData(bars);
    this.volumeSeries?.setData(volumes);
    if (fit || this.indicatorSeries.size === 0) {
      this.clearIndicators();
      this.drawIndicators(candles);
    } else {
      const lines = toIndicatorSeries(candles, [...this.indicatorSeries.keys()]);
      for (const [field, series] of this.indicatorSeries) series.setData(lines.get(field) ?? []);
    }
    if (fit) this.chart?.timeScale().fitContent();
    const drawn = this.candleSeries?.data().length ?? 0;
    if (drawn === 0) {
      this.setState('empty', `${collection} holds no candles yet.`, 0);
      return;
    }
    const first = candles[0].open_time / 1000;
    const last = candles[candles.length - 1].open_time / 1000;
    const more = this.truncated ? ' (the first ones only: the collection holds more than the chart loads)' : '';
    this.setState('ready', `${collection}: ${formatCount(drawn)} candles, ${formatUtc(first)} → ${formatUtc(last)} UTC${more}`, drawn);
  }

  /** EMA and VWAP lines over the candles, RSI and ATR in panes of their own, each with a checkbox. */
  private drawIndicators(candles: readonly StoredCandle[]): void {
    const chart = this.chart;
    if (!chart) return;
    const fields = indicatorFieldsOf(candles);
    const lines = toIndicatorSeries(candles, fields);
    fields.forEach((field, index) => {
      const color = LINE_COLORS[index % LINE_COLORS.length];
      const series = chart.addSeries(LineSeries, { color, lineWidth: 1, title: field, priceLineVisible: false, lastValueVisible: false }, indicatorPane(field));
      series.setData(lines.get(field) ?? []);
      this.indicatorSeries.set(field, series);
      const checkbox = h('input', { type: 'checkbox', checked: true, 'data-indicator': field, onchange: (event: Event) => series.applyOptions({ visible: (event.target as HTMLInputElement).checked }) });
      this.toggles.append(h('label', { class: 'indicator-toggle', style: `--line: ${color}` }, checkbox, ` ${field}`));
    });
  }

  private clearIndicators(): void {
    for (const series of this.indicatorSeries.values()) this.chart?.removeSeries(series);
    this.indicatorSeries.clear();
    this.toggles.replaceChildren();
  }

  hide(): void {
    this.generation += 1;
    this.candles = [];
    this.freshness = undefined;
    this.clearIndicators();
    this.element.hidden = true;
    this.collection = undefined;
    this.setState('idle', '', 0);
  }

  private setState(state: ChartState, text: string, drawn: number): void {
    this.state = state;
    this.candlesDrawn = drawn;
    this.status.textContent = text;
    this.status.classList.toggle('bad', state === 'error');
    this.container.dataset.state = state;
    this.container.dataset.candlesDrawn = String(drawn);
    this.container.dataset.collection = this.collection ?? '';
  }

  private ensureChart(): void {
    if (this.chart) return;
    this.chart = createChart(this.container, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1f2933', fontSize: 12 },
      grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } },
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#d5dbe1', fixLeftEdge: true, fixRightEdge: true },
      rightPriceScale: { borderColor: '#d5dbe1', scaleMargins: { top: 0.08, bottom: 0.3 } },
      localization: { locale: 'en-US' },
    });
    this.candleSeries = this.chart.addSeries(CandlestickSeries, { upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN });
    // Volume as an overlay on its own scale in the bottom quarter, under the candles.
    this.volumeSeries = this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: '', lastValueVisible: false, priceLineVisible: false });
    this.volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.75, bottom: 0 } });
  }
}

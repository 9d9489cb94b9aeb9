import type { QueueState, TargetState } from '@streamforge/schemas';
import { h, replaceChildren } from './dom';
import {
  candleCollections,
  formatCount,
  formatDuration,
  formatLiveFigures,
  formatRate,
  formatSpan,
  formatUtc,
  isActive,
  queueErrorCount,
  queueGaps,
  targetProgress,
  targetLines,
  targetRate,
  type TargetLine,
} from './queue-format';

export interface QueueTableActions {
  select(queueId: string): void;
  stop(queueId: string): Promise<void>;
  chart(queueId: string, collection: string): void;
}

const COLUMNS = ['Queue', 'Status', 'Range (UTC)', 'Progress per target (written / expected · rate)', 'Errors', 'Gaps', 'Started / finished (UTC)', ''];

/** The queue list: one retained row per queue, updated in place so clicks and focus survive updates. */
export class QueueTable {
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly empty = h('p', { class: 'empty' }, 'No queues yet. Start a flow above.');
  private readonly rows = new Map<string, QueueRow>();
  private selectedId: string | undefined;

  constructor(private readonly actions: QueueTableActions) {
    const table = h('table', { class: 'queues' }, h('thead', {}, h('tr', {}, ...COLUMNS.map((name) => h('th', { scope: 'col' }, name)))), this.body);
    this.element = h('section', { class: 'panel', 'aria-label': 'Queues' }, h('h2', {}, 'Queues'), this.empty, h('div', { class: 'table-scroll' }, table));
  }

  render(queues: QueueState[], selectedId: string | undefined): void {
    this.selectedId = selectedId;
    this.empty.hidden = queues.length > 0;
    queues.forEach((queue, index) => {
      let row = this.rows.get(queue.queue_id);
      if (!row) {
        row = new QueueRow(queue.queue_id, this.actions);
        this.rows.set(queue.queue_id, row);
      }
      row.update(queue, queue.queue_id === this.selectedId);
      if (this.body.children[index] !== row.element) this.body.insertBefore(row.element, this.body.children[index] ?? null);
    });
  }
}

class QueueRow {
  readonly element: HTMLTableRowElement;
  private readonly cells: Record<'queue' | 'status' | 'range' | 'progress' | 'errors' | 'gaps' | 'times', HTMLTableCellElement>;
  private readonly symbol = h('span', { class: 'symbol' });
  private readonly type = h('span', { class: 'type' });
  private readonly flow = h('div', { class: 'flow hint' });
  private readonly stopButton: HTMLButtonElement;
  private readonly chartButtons = h('span', { class: 'chart-buttons' });
  private stopping = false;

  constructor(
    private readonly queueId: string,
    private readonly actions: QueueTableActions,
  ) {
    const cell = (className: string) => h('td', { class: className });
    this.cells = {
      queue: cell('queue'),
      status: cell('status'),
      range: cell('range'),
      progress: cell('progress'),
      errors: cell('num errors'),
      gaps: cell('num gaps'),
      times: cell('time'),
    };
    this.cells.queue.append(
      h('div', { class: 'what' }, this.symbol, ' ', this.type),
      h('button', { type: 'button', class: 'link queue-id', title: 'show this queue\u2019s targets and events', onclick: () => actions.select(queueId) }, queueId),
      this.flow,
    );
    this.stopButton = h('button', { type: 'button', class: 'stop', onclick: () => void this.stop() }, 'Stop');
    const detailButton = h('button', { type: 'button', class: 'detail', onclick: () => actions.select(queueId) }, 'Events');
    this.element = h('tr', { 'data-queue-id': queueId }, ...Object.values(this.cells), h('td', { class: 'actions' }, detailButton, this.chartButtons, this.stopButton));
  }

  update(queue: QueueState, selected: boolean): void {
    this.element.classList.toggle('selected', selected);
    const c = this.cells;
    this.symbol.textContent = queue.symbol;
    this.type.textContent = queue.type;
    this.flow.textContent = queue.flow_name ?? '';
    c.status.dataset.status = queue.status;
    replaceChildren(c.status, h('span', { class: `badge ${queue.status}` }, queue.status));
    c.range.textContent = queue.time_range;
    replaceChildren(c.progress, ...queue.targets.flatMap(targetLines).map((line) => progressBar(line, queue.targets)));
    const errors = queueErrorCount(queue);
    c.errors.textContent = formatCount(errors);
    c.errors.classList.toggle('bad', errors > 0);
    const gaps = queueGaps(queue);
    c.gaps.textContent = formatCount(gaps.length);
    c.gaps.title = gaps.map(formatSpan).join('\n');
    c.gaps.classList.toggle('warn', gaps.length > 0);
    const took = queue.started_at !== null && queue.finished_at !== null ? ` \u00b7 ${formatDuration(queue.finished_at - queue.started_at)}` : '';
    replaceChildren(
      c.times,
      h('div', { class: 'started', title: 'started' }, formatUtc(queue.started_at)),
      h('div', { class: 'finished', title: 'finished' }, queue.finished_at === null ? '' : `${formatUtc(queue.finished_at)}${took}`),
    );
    const active = isActive(queue.status);
    this.stopButton.hidden = !active;
    this.stopButton.disabled = this.stopping || queue.status === 'stopping';
    const collections = candleCollections(queue);
    if (this.chartButtons.dataset.collections !== collections.join(',')) {
      this.chartButtons.dataset.collections = collections.join(',');
      replaceChildren(
        this.chartButtons,
        ...collections.map((collection) =>
          h('button', { type: 'button', class: 'chart', title: `chart of ${collection}`, 'data-collection': collection, onclick: () => this.actions.chart(this.queueId, collection) }, 'Chart'),
        ),
      );
    }
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    this.stopButton.disabled = true;
    try {
      await this.actions.stop(this.queueId);
    } finally {
      this.stopping = false;
    }
  }
}

/** A target's bar, or (indented under it) one of its instances'. */
function progressBar({ line: target, instance }: TargetLine, siblings: readonly TargetState[]): HTMLElement {
  const name = instance === null ? target.target : `\u21b3 ${instance}`;
  const progress = targetProgress(target, siblings);
  const borrowed = progress.expectedFrom ? ` (expected count from ${progress.expectedFrom})` : '';
  const counts = progress.expected === null ? formatCount(progress.written) : `${formatCount(progress.written)} / ${formatCount(progress.expected)}`;
  const percentText = progress.percent === null ? '' : ` (${progress.percent}%)`;
  const live = formatLiveFigures(target);
  return h(
    'div',
    {
      class: `target ${target.status}${instance === null ? '' : ' instance'}`, 'data-target': target.target, 'data-instance': instance ?? undefined, 'data-percent': progress.percent ?? '',
      title: `${target.target}${instance === null ? '' : ` ${instance}`} (${target.telemetry_id}, ${target.job_name}): ${target.status}${target.message ? ` \u2014 ${target.message}` : ''}${borrowed}`,
    },
    h('span', { class: 'target-name' }, name),
    h(
      'span',
      { class: 'bar', role: 'progressbar', 'aria-label': `${target.target}${instance === null ? '' : ` ${instance}`} progress`, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': progress.percent ?? undefined },
      h('span', { class: 'fill', style: `width:${progress.percent ?? 0}%` }),
    ),
    h('span', { class: 'counts' }, `${counts}${percentText} \u00b7 ${formatRate(targetRate(target))}${live ? ` \u00b7 ${live}` : ''}`),
  );
}

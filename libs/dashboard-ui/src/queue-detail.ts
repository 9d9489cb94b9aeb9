import type { QueueState, TelemetryEvent } from '@streamforge/schemas';
import { h, replaceChildren } from './dom';
import type { EventLog } from './queue-store';
import { formatCount, formatSpan, formatUtc, targetLines, targetProgress } from './queue-format';

/** One queue: its targets in full and its telemetry as a live log (events since the page opened). */
export class QueueDetail {
  readonly element: HTMLElement;
  private readonly title = h('h2', {});
  private readonly targets = h('tbody');
  private readonly log = h('ol', { class: 'event-log', 'aria-live': 'off' });
  private readonly logNote = h('p', { class: 'hint' });
  private queueId: string | undefined;
  private renderedTotal = 0;

  constructor(onClose: () => void) {
    const targetTable = h(
      'table',
      { class: 'targets' },
      h('thead', {}, h('tr', {}, ...['Target', 'Telemetry id', 'Status', 'Written / expected', 'Last candle (UTC)', 'Errors', 'Gaps', 'Last message'].map((name) => h('th', { scope: 'col' }, name)))),
      this.targets,
    );
    this.element = h(
      'section',
      { class: 'panel detail', 'aria-label': 'Queue detail', hidden: true },
      h('div', { class: 'panel-head' }, this.title, h('button', { type: 'button', class: 'close', onclick: onClose, 'aria-label': 'close detail' }, 'Close')),
      h('div', { class: 'table-scroll' }, targetTable),
      h('h3', {}, 'Telemetry events'),
      this.logNote,
      this.log,
    );
  }

  show(queue: QueueState | undefined, log: Readonly<EventLog>): void {
    if (!queue) {
      this.element.hidden = true;
      this.queueId = undefined;
      return;
    }
    this.element.hidden = false;
    this.element.dataset.queueId = queue.queue_id;
    replaceChildren(this.title, `Queue ${queue.queue_id} `, h('span', { class: `badge ${queue.status}` }, queue.status));
    // Each instance (sink replica, loader split) is its own row, indented under its target's.
    replaceChildren(this.targets, ...queue.targets.flatMap(targetLines).map(({ line: target, instance }) => {
      const progress = targetProgress(target, queue.targets);
      return h(
        'tr',
        { 'data-target': target.target, 'data-instance': instance ?? undefined, class: instance === null ? '' : 'instance' },
        h('td', { title: target.job_name }, instance === null ? target.target : `\u21b3 ${instance}`),
        h('td', { class: 'mono' }, target.telemetry_id),
        h('td', {}, h('span', { class: `badge ${target.status}` }, target.status)),
        h('td', { class: 'num' }, progress.expected === null ? formatCount(progress.written) : `${formatCount(progress.written)} / ${formatCount(progress.expected)}`),
        h('td', { class: 'time' }, formatUtc(target.last_loaded_timestamp === null ? null : target.last_loaded_timestamp / 1000)),
        h('td', { class: 'num' }, formatCount(target.error_count)),
        h('td', {}, target.gaps.length === 0 ? '–' : target.gaps.map(formatSpan).join(', ')),
        h('td', { class: target.error_message ? 'bad' : '' }, target.error_message ?? target.message ?? ''),
      );
    }));
    if (this.queueId !== queue.queue_id) {
      this.queueId = queue.queue_id;
      this.renderedTotal = 0;
      replaceChildren(this.log);
    }
    this.appendEvents(log);
  }

  private appendEvents({ events, total }: Readonly<EventLog>): void {
    this.logNote.textContent = `${formatCount(total)} events received since this page opened (newest last${total > events.length ? `, the last ${formatCount(events.length)} shown` : ''}).`;
    const fresh = Math.min(total - this.renderedTotal, events.length);
    if (fresh <= 0) return;
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    const fragment = document.createDocumentFragment();
    for (const event of events.slice(events.length - fresh)) fragment.append(eventLine(event));
    this.log.append(fragment);
    // The store keeps only the newest events; drop the lines of those it let go.
    while (this.log.childElementCount > events.length) this.log.firstElementChild?.remove();
    this.renderedTotal = total;
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}

function eventLine(event: TelemetryEvent): HTMLElement {
  return h(
    'li',
    { 'data-status': event.status },
    h('time', {}, formatUtc(event.timestamp, true)),
    h('span', { class: 'producer' }, event.producer),
    h('span', { class: `badge ${event.status}` }, event.status),
    h('span', { class: 'num' }, formatCount(event.records_written)),
    h('span', { class: 'message' }, event.error_message ? `${event.message} \u2014 ${event.error_message}` : event.message),
  );
}

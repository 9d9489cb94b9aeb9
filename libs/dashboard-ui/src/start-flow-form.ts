import type { StartFlowRequest, StartQueueResult } from '@streamforge/schemas';
// The browser-safe entry of the binance lib (its index also holds the Node HTTP client).
import { KLINE_INTERVALS } from '@streamforge/binance/intervals';
import { ApiError } from './api-client';
import { h, replaceChildren } from './dom';

export const KNOWN_FLOWS = ['default_candles_flow', 'dummy_flow'];

type FieldName = 'flow_name' | 'symbol' | 'interval' | 'time_range';

/** Maps an error path of the start-test-flow body to the form field that holds that value. */
export function fieldOfPath(path: string): FieldName | undefined {
  if (path === 'flow_name' || path === 'symbol' || path === 'time_range') return path;
  if (path === 'extra_params.interval' || path === 'extra_params.type') return 'interval';
  return undefined;
}

/** The start-a-flow form: sends the values as typed and shows the API's own validation messages. */
export class StartFlowForm {
  readonly element: HTMLFormElement;
  private readonly inputs: Record<FieldName, HTMLInputElement | HTMLSelectElement>;
  private readonly errors: Record<FieldName, HTMLElement>;
  private readonly formError = h('div', { class: 'form-error', role: 'alert' });
  private readonly result = h('div', { class: 'form-result', role: 'status' });
  private readonly submit = h('button', { type: 'submit', class: 'primary' }, 'Start');
  private readonly flowList = h('datalist', { id: 'known-flows' }, ...KNOWN_FLOWS.map((flow) => h('option', { value: flow })));

  constructor(private readonly startFlow: (request: StartFlowRequest) => Promise<StartQueueResult>, private readonly onStarted: (result: StartQueueResult) => void) {
    this.inputs = {
      flow_name: h('input', { name: 'flow_name', value: KNOWN_FLOWS[0], list: 'known-flows', required: true, autocomplete: 'off', spellcheck: 'false' }),
      symbol: h('input', { name: 'symbol', value: 'BTCUSDT', required: true, autocomplete: 'off', spellcheck: 'false', size: 10 }),
      interval: h('select', { name: 'interval' }, h('option', { value: '' }, 'flow default'), ...KLINE_INTERVALS.map((interval) => h('option', { value: interval, selected: interval === '1m' }, interval))),
      time_range: h('input', { name: 'time_range', value: '2024-08-01:2024-08-01', required: true, autocomplete: 'off', spellcheck: 'false', size: 26, placeholder: '2024-08-01:2024-08-02 or …T00:00Z/…T06:00Z' }),
    };
    const error = (name: FieldName) => h('span', { class: 'field-error', id: `error-${name}`, 'aria-live': 'polite' });
    this.errors = { flow_name: error('flow_name'), symbol: error('symbol'), interval: error('interval'), time_range: error('time_range') };
    const field = (name: FieldName, label: string, hint?: string) => {
      this.inputs[name].setAttribute('aria-describedby', `error-${name}`);
      return h('label', { class: 'field' }, h('span', { class: 'label' }, label), this.inputs[name], hint ? h('span', { class: 'hint' }, hint) : null, this.errors[name]);
    };
    this.element = h(
      'form',
      { class: 'panel start-flow', 'aria-label': 'Start a flow', novalidate: true, onsubmit: (event: Event) => void this.send(event) },
      h('h2', {}, 'Start a flow'),
      h(
        'div',
        { class: 'fields' },
        field('flow_name', 'Flow'),
        field('symbol', 'Symbol'),
        field('interval', 'Interval'),
        field('time_range', 'Time range (UTC)', 'days YYYY-MM-DD:YYYY-MM-DD, end day included, or ISO instants a/b'),
        h('div', { class: 'field submit' }, this.submit),
      ),
      this.flowList,
      this.formError,
      this.result,
    );
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    this.clearErrors();
    this.submit.disabled = true;
    const interval = this.inputs.interval.value;
    const request: StartFlowRequest = {
      flow_name: this.inputs.flow_name.value.trim(),
      symbol: this.inputs.symbol.value.trim(),
      time_range: this.inputs.time_range.value.trim(),
      ...(interval ? { extra_params: { interval } } : {}),
    };
    try {
      const started = await this.startFlow(request);
      this.result.textContent = `Started ${started.queue_id}`;
      this.onStarted(started);
    } catch (error) {
      this.showError(error);
    } finally {
      this.submit.disabled = false;
    }
  }

  private showError(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.formError.textContent = String(error);
      return;
    }
    const unplaced: string[] = [];
    for (const issue of error.fieldErrors) {
      const name = fieldOfPath(issue.path);
      if (!name) {
        unplaced.push(`${issue.path}: ${issue.message}`);
        continue;
      }
      this.inputs[name].setAttribute('aria-invalid', 'true');
      this.errors[name].textContent = this.errors[name].textContent ? `${this.errors[name].textContent}; ${issue.message}` : issue.message;
    }
    if (error.known.length > 0) {
      this.inputs.flow_name.setAttribute('aria-invalid', 'true');
      this.errors.flow_name.textContent = `known flows: ${error.known.join(', ')}`;
      replaceChildren(this.flowList, ...error.known.map((flow) => h('option', { value: flow })));
    }
    replaceChildren(this.formError, error.message, ...unplaced.map((line) => h('div', {}, line)));
  }

  private clearErrors(): void {
    this.formError.textContent = '';
    this.result.textContent = '';
    for (const name of Object.keys(this.errors) as FieldName[]) {
      this.errors[name].textContent = '';
      this.inputs[name].removeAttribute('aria-invalid');
    }
  }
}

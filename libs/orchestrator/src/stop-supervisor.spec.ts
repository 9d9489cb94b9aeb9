import type { QueueState, TargetState } from '@streamforge/schemas';
import { runningTargets, stopCommandsFor } from './stop-supervisor';

const target = (name: string, status: TargetState['status']) => ({ target: name, status }) as TargetState;
const queue = (time_range: string, targets: TargetState[]) => ({ queue_id: 'wf-q', time_range, targets }) as QueueState;

describe('stopCommandsFor', () => {
  it('stops a live queue’s loaders first, addressed by target, and its sink only once no loader runs', () => {
    const state = queue('2024-08-01:', [target('loader-api-candles', 'finished'), target('loader-ws-candles', 'loading'), target('arango-candles', 'loading')]);
    expect(stopCommandsFor(state, runningTargets(state), 1)).toEqual([{ command: 'stop', queue_id: 'wf-q', target: 'loader-ws-candles', timestamp: 1 }]);
    const loadersDone = queue('2024-08-01:', [target('loader-api-candles', 'finished'), target('loader-ws-candles', 'interrupted'), target('arango-candles', 'loading')]);
    expect(stopCommandsFor(loadersDone, runningTargets(loadersDone), 2)).toEqual([{ command: 'stop', queue_id: 'wf-q', timestamp: 2 }]);
  });

  it('stops every worker of a bounded queue at once', () => {
    const state = queue('2024-08-01:2024-08-02', [target('loader-api-candles', 'loading'), target('arango-candles', 'loading')]);
    expect(stopCommandsFor(state, runningTargets(state), 3)).toEqual([{ command: 'stop', queue_id: 'wf-q', timestamp: 3 }]);
  });
});

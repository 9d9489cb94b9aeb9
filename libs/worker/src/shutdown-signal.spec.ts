import { onShutdownSignal } from './shutdown-signal';

describe('onShutdownSignal', () => {
  it('calls the handler once, with the signal, and can be removed', () => {
    const seen: string[] = [];
    const remove = onShutdownSignal((signal) => seen.push(signal));
    process.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['SIGTERM']);
    remove();
    process.emit('SIGINT', 'SIGINT');
    expect(seen).toEqual(['SIGTERM']);
  });
});

import { createLogger } from './create-logger';

describe('createLogger', () => {
  it('uses LOG_LEVEL unless --debug is given', () => {
    expect(createLogger({ service: 's', level: 'warn' }).level).toBe('warn');
    expect(createLogger({ service: 's', level: 'warn', debug: true }).level).toBe('debug');
    expect(createLogger({ service: 's' }).level).toBe('info');
  });
});

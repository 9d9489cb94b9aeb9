import { createLogger } from './create-logger';

describe('createLogger', () => {
  it('uses LOG_LEVEL unless --debug is given', () => {
    expect(createLogger({ service: 's', level: 'warn' }).level).toBe('warn');
    expect(createLogger({ service: 's', level: 'warn', debug: true }).level).toBe('debug');
    expect(createLogger({ service: 's' }).level).toBe('info');
  });

  it('stamps data_source on every line when a data source is given, and nothing otherwise', () => {
    const bindings = (logger: ReturnType<typeof createLogger>) => logger.bindings();
    expect(bindings(createLogger({ service: 's', dataSource: 'simulator' }))).toMatchObject({ service: 's', data_source: 'simulator' });
    expect(bindings(createLogger({ service: 's', dataSource: '' }))).not.toHaveProperty('data_source');
  });
});

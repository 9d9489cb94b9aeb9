import { runEnvironment, simulatorSqlitePath } from './data-source';

describe('runEnvironment', () => {
  it('sends a simulated run to its own SQLite file beside the real one, tagged simulator', () => {
    expect(runEnvironment(true, {})).toEqual({ STORE: 'sqlite', SQLITE_PATH: 'data/streamforge-sim.db', DATA_SOURCE: 'simulator' });
    expect(runEnvironment(true, { SQLITE_PATH: '/tmp/x/mine.sqlite' }).SQLITE_PATH).toBe('/tmp/x/mine-sim.sqlite');
  });

  it('keeps a simulated run out of ArangoDB even when ARANGO_URL is set', () => {
    expect(runEnvironment(true, { ARANGO_URL: 'http://arango:8529', STORE: 'arango' })).toMatchObject({ STORE: 'sqlite', DATA_SOURCE: 'simulator' });
  });

  it('leaves a real run on the configured store, untagged', () => {
    expect(runEnvironment(false, { SQLITE_PATH: 'data/streamforge.db', DATA_SOURCE: 'simulator' })).toEqual({ DATA_SOURCE: undefined });
  });
});

describe('simulatorSqlitePath', () => {
  it('never equals the real path', () => {
    for (const path of ['./data/streamforge.db', 'a', '/x/y.db', 'x-sim.db']) expect(simulatorSqlitePath(path)).not.toBe(path);
  });
});

import { benchBroker, parseTransportRuns, parseTransports, range } from './bench-transport';

describe('parseTransports', () => {
  it('reads --transport plaintext|sasl|both, --sasl as sasl, plaintext by default', () => {
    expect(parseTransports({})).toEqual(['plaintext']);
    expect(parseTransports({ sasl: true })).toEqual(['sasl']);
    expect(parseTransports({ transport: 'both' })).toEqual(['plaintext', 'sasl']);
    expect(parseTransports({ transport: 'both', sasl: true })).toEqual(['plaintext', 'sasl']);
  });

  it('refuses an unknown transport and --sasl with --transport plaintext, naming the value', () => {
    expect(() => parseTransports({ transport: 'ssl' })).toThrow('--transport must be plaintext, sasl or both, got "ssl"');
    expect(() => parseTransports({ transport: 'plaintext', sasl: true })).toThrow('--sasl contradicts --transport plaintext');
  });
});

describe('benchBroker', () => {
  it('uses the listeners the environment names, SASL_SSL with its SCRAM user and CA, and starts nothing', async () => {
    const broker = await benchBroker(['plaintext', 'sasl'], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1', STREAMFORGE_TEST_SASL_BOOTSTRAP: '127.0.0.1:2', STREAMFORGE_TEST_SASL_USER: 'u', STREAMFORGE_TEST_SASL_PASSWORD: 'p', STREAMFORGE_TEST_SASL_CA_PATH: '/ca.pem',
    });
    expect(broker.pid).toBeUndefined();
    expect(broker.env('plaintext')).toEqual({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' });
    expect(broker.env('sasl')).toEqual({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:2', KAFKA_USER: 'u', KAFKA_PASSWORD: 'p', CA_PATH: '/ca.pem' });
    await broker.stop();
  });
});

describe('range', () => {
  it('prints one figure as itself and several as min – max', () => {
    expect(range([12_000])).toBe('12,000');
    expect(range([3.5, 1.25, 2], 2)).toBe('1.25 – 3.50');
    expect(range([])).toBe('?');
  });
});

describe('parseTransportRuns', () => {
  it('reads the transports and --runs, refusing a run count that is not a whole number ≥ 1', () => {
    expect(parseTransportRuns({ transport: 'both', runs: '3' })).toEqual({ transports: ['plaintext', 'sasl'], runs: 3 });
    expect(parseTransportRuns({})).toEqual({ transports: ['plaintext'], runs: 1 });
    for (const runs of ['0', '1.5', 'x']) expect(() => parseTransportRuns({ runs })).toThrow(`--runs must be a whole number ≥ 1, got "${runs}"`);
  });
});

import { redactLocations, redactTelemetryEvent } from './redact-locations';

describe('redactLocations', () => {
  it('removes store URLs (with credentials) and absolute paths, keeping the rest of the message', () => {
    expect(redactLocations('cannot reach ArangoDB https://root:secret@arangodb.arangodb.svc:8529/_db/streamforge while writing: ECONNREFUSED'))
      .toBe('cannot reach ArangoDB <url> while writing: ECONNREFUSED');
    expect(redactLocations('SQLITE_CANTOPEN: unable to open /var/lib/streamforge/data/streamforge.db (path="/data/x.db")'))
      .toBe('SQLITE_CANTOPEN: unable to open <path> (path="<path>")');
  });

  it('leaves time ranges, queue ids and collection names alone', () => {
    const text = 'loaded 2024-08-01T00:00:00.000Z/2024-08-01T06:00:00.000Z of wf-btcusdt-api_candles_1m-20240801-abc123 into btcusdt_api_candles_1m_2024_08_01';
    expect(redactLocations(text)).toBe(text);
  });

  it('redacts both free-text fields of an event', () => {
    expect(redactTelemetryEvent({ message: 'store http://u:p@h:1 down', error_message: 'at /srv/db/file.db' })).toEqual({ message: 'store <url> down', error_message: 'at <path>' });
  });
});

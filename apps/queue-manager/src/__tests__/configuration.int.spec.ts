import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePath } from '@streamforge/worker/testing';

const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [bundlePath('apps', 'queue-manager')], { env: { PATH: process.env.PATH, KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1', ...env }, encoding: 'utf8', timeout: 60_000 }); // a cap for a hung process, not a speed check

describe('queue-manager configuration', () => {
  it('exits 2 naming a bad LAUNCHER', () => {
    const result = run({ LAUNCHER: 'docker' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('configuration error: LAUNCHER: kubernetes or local (got "docker")');
  });

  it('exits 2 on an ArangoDB URL with credentials, without printing the password', () => {
    const result = run({ ARANGO_URL: 'http://streamforge:s3cret-pw@arangodb:8529' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'configuration error: ARANGO_URL: must not carry credentials (user:password@); set ARANGO_USER/ARANGO_PASSWORD or ARANGO_TOKEN (got "http://***@arangodb:8529")',
    );
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it('exits 2 naming the bad line of a broken flows file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flows-')), 'flows.yaml');
    writeFileSync(file, 'flows:\n  mine:\n    type: dummy\n    targets:\n      - target: nope\n');
    const result = run({ FLOWS_FILE: file });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^configuration error: FLOWS_FILE: flows file .*flows\.yaml: flows\.mine\.targets\.0\.target: unknown target "nope"; known targets: loader-api-candles/);
  });
});

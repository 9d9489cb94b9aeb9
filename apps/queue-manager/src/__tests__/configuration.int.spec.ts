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

describe('queue-manager refuses to run open to the network', () => {
  it('exits 2 on a non-loopback HOST without authentication, saying what to set', () => {
    const result = run({ HOST: '0.0.0.0' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'configuration error: HOST: listening on 0.0.0.0 needs authentication: set OIDC_ISSUER and OIDC_AUDIENCE, or API_TOKENS_FILE (docs/operations.md); only a loopback HOST such as 127.0.0.1 may run without (got "0.0.0.0")',
    );
  });

  it('exits 2 on an API token file that stores a clear token instead of its hash', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokens-')), 'api-tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'ci', role: 'operator', sha256: 'my-secret-token' }] }));
    const result = run({ HOST: '0.0.0.0', API_TOKENS_FILE: file });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^configuration error: API_TOKENS_FILE: API tokens file .*api-tokens\.json: tokens\.0\.sha256: 64 lowercase hex characters/);
  });
});

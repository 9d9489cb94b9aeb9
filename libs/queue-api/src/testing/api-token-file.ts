import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiToken } from '../auth/api-tokens';
import type { Role } from '../auth/roles';

/** Writes an API token file with one fresh token per role; returns its path and the clear tokens. */
export function writeApiTokenFile(roles: Role[] = ['viewer', 'operator']): { path: string; tokens: Record<Role, string> } {
  const tokens = {} as Record<Role, string>;
  for (const role of roles) tokens[role] = randomBytes(32).toString('base64url');
  const path = join(mkdtempSync(join(tmpdir(), 'sf-tokens-')), 'api-tokens.json');
  writeFileSync(path, JSON.stringify({ tokens: roles.map((role) => ({ name: `test-${role}`, role, sha256: hashApiToken(tokens[role]) })) }));
  return { path, tokens };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '@streamforge/schemas';
import { ROLES, type Principal } from './roles';

/**
 * The API token file (a mounted Secret): `{"tokens": [{"name", "role", "sha256"}]}`. Only SHA-256
 * hashes are stored: tokens are 256-bit random strings, so a fast hash is safe (no dictionary to try).
 */
export const apiTokenFileSchema = z.strictObject({
  tokens: z.array(
    z.strictObject({
      name: z.string().min(1).max(100).describe('who holds it, e.g. ci-nightly; logged with each request'),
      role: z.enum(ROLES),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters: sha256 of the token'),
    }),
  ),
});

/** The hex SHA-256 a token file stores for `token`. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The file could not be read or is not a token file: queue-manager refuses to start. */
export class ApiTokenFileError extends Error {
  override name = 'ApiTokenFileError';
  readonly retriable = false;
  constructor(readonly path: string, reason: string) {
    super(`API tokens file ${path}: ${reason}`);
  }
}

export interface ApiTokens {
  /** The principal of a static token, or undefined when no entry matches. */
  find(token: string): Principal | undefined;
  readonly size: number;
}

/** Loads the hashed API tokens; matching compares hashes in constant time. */
export function loadApiTokens(path: string): ApiTokens {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ApiTokenFileError(path, (error as Error).message);
  }
  const parsed = apiTokenFileSchema.safeParse(document);
  if (!parsed.success) throw new ApiTokenFileError(path, describeIssues(parsed.error, document));
  const entries = parsed.data.tokens.map((entry) => ({ ...entry, digest: Buffer.from(entry.sha256, 'hex') }));
  return {
    size: entries.length,
    find(token) {
      const digest = createHash('sha256').update(token, 'utf8').digest();
      let found: (typeof entries)[number] | undefined;
      for (const entry of entries) if (timingSafeEqual(entry.digest, digest)) found = entry;
      return found && { subject: found.name, role: found.role, via: 'api-token' };
    },
  };
}

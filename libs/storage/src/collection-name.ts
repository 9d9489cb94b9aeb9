import { z } from 'zod';
import { InvalidCollectionNameError } from './errors';

/** ArangoDB 3.12 traditional naming: the strictest rules any of our stores has. */
const MAX_COLLECTION_NAME_BYTES = 256;

/**
 * Checks a collection name against ArangoDB's (traditional) naming rules; returns why it is
 * invalid, or undefined when it is fine. Apps run it on COLLECTION_NAME before starting.
 */
export function validateCollectionName(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a collection name must not be empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_COLLECTION_NAME_BYTES) {
    return `collection name ${JSON.stringify(name)} is ${Buffer.byteLength(name, 'utf8')} bytes long; at most ${MAX_COLLECTION_NAME_BYTES} allowed`;
  }
  if (name.startsWith('_')) return `collection name ${JSON.stringify(name)} starts with "_", which ArangoDB reserves for system collections; start with a letter`;
  if (!/^[A-Za-z]/.test(name)) return `collection name ${JSON.stringify(name)} must start with a letter (a-z, A-Z)`;
  const bad = name.match(/[^A-Za-z0-9_-]/);
  if (bad) return `collection name ${JSON.stringify(name)} contains ${JSON.stringify(bad[0])} at position ${bad.index}; only letters, digits, "_" and "-" are allowed`;
  return undefined;
}

/** Throws InvalidCollectionNameError unless the name is valid. */
export function assertCollectionName(name: string): void {
  const problem = validateCollectionName(name);
  if (problem) throw new InvalidCollectionNameError(name, problem);
}

/** zod field for COLLECTION_NAME-like settings: a bad name fails config loading with the reason. */
export const collectionNameSetting = z.string().superRefine((name, ctx) => {
  const problem = validateCollectionName(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

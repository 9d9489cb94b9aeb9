import { InvalidDocumentError, summarizeKeys } from './errors';
import { documentVersion, VERSION_ATTRIBUTE, type StoredDocument } from './document-store';

const MAX_KEY_BYTES = 254;
/** ArangoDB's `_key` alphabet; both adapters enforce it so a batch SQLite accepts, ArangoDB accepts too. */
const KEY_PATTERN = /^[A-Za-z0-9_\-:.@()+,=;$!*'%]+$/;

/** Why a `_key` is unusable, or undefined. */
export function validateDocumentKey(key: unknown): string | undefined {
  if (typeof key !== 'string') return `_key must be a string (got ${key === undefined ? 'none' : typeof key})`;
  if (key.length === 0) return '_key must not be empty';
  if (!KEY_PATTERN.test(key)) return `_key ${JSON.stringify(key.slice(0, 300))} holds a character ArangoDB refuses (allowed: letters, digits and _-:.@()+,=;$!*'%)`;
  // The alphabet is ASCII, so characters are bytes.
  if (key.length > MAX_KEY_BYTES) return `_key ${JSON.stringify(key.slice(0, 40))}… is longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/** Why a document's version (or its own VERSION_ATTRIBUTE field) is unusable, or undefined. */
function validateVersion(document: StoredDocument): string | undefined {
  if (VERSION_ATTRIBUTE in document) return `the attribute "${VERSION_ATTRIBUTE}" is reserved for the store's version (use withDocumentVersion)`;
  const version = documentVersion(document);
  // ArangoDB compares versions rounded down and writes anyway for negative or non-numeric ones: only exact integers keep both adapters equal.
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 0)) return `version must be a non-negative safe integer (got ${JSON.stringify(version)})`;
  return undefined;
}

/**
 * Checks every document before anything is written (so an invalid batch leaves the store
 * untouched) and keeps the last occurrence of a repeated `_key`: ArangoDB does not apply a bulk
 * request's items in order, so duplicates inside one batch would otherwise race.
 */
export function prepareBatch(collection: string, documents: readonly StoredDocument[]): StoredDocument[] {
  if (!Array.isArray(documents)) throw new InvalidDocumentError(collection, [], 'documents must be an array');
  const problems: string[] = [];
  const badKeys: string[] = [];
  const seen = new Set<string>();
  let repeated = false;
  documents.forEach((document, index) => {
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      problems.push(`item ${index} is not an object`);
      return;
    }
    const problem = validateDocumentKey(document._key);
    if (problem) {
      problems.push(`item ${index}: ${problem}`);
      badKeys.push(String(document._key));
      return;
    }
    const versionProblem = validateVersion(document);
    if (versionProblem) {
      problems.push(`item ${index} (_key ${JSON.stringify(document._key)}): ${versionProblem}`);
      badKeys.push(document._key);
      return;
    }
    if (seen.has(document._key)) repeated = true;
    else seen.add(document._key);
  });
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` (+${problems.length - 3} more problems; keys ${summarizeKeys(badKeys)})` : '';
    throw new InvalidDocumentError(collection, badKeys, problems.slice(0, 3).join('; ') + more);
  }
  if (!repeated) return documents as StoredDocument[];
  const byKey = new Map<string, StoredDocument>();
  for (const document of documents) {
    byKey.delete(document._key);
    byKey.set(document._key, document);
  }
  return [...byKey.values()];
}

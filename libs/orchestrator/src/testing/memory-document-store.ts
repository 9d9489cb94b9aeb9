import type { DocumentStore, PageQuery, RangeQuery, StoredDocument } from '@streamforge/storage';

/** An in-memory DocumentStore for unit tests of code above the port (copies on write and read). */
export class MemoryDocumentStore implements DocumentStore {
  readonly kind = 'memory';
  readonly location = 'memory';
  private readonly collections = new Map<string, Map<string, StoredDocument>>();

  async ensureCollection(collection: string): Promise<void> {
    if (!this.collections.has(collection)) this.collections.set(collection, new Map());
  }
  async upsertBatch(collection: string, documents: StoredDocument[]): Promise<void> {
    const docs = this.require(collection);
    for (const document of documents) docs.set(document._key, structuredClone(document));
  }
  async updateFields(collection: string, updates: StoredDocument[]): Promise<void> {
    const docs = this.require(collection);
    for (const update of updates) {
      const stored = docs.get(update._key);
      if (stored) docs.set(update._key, { ...stored, ...structuredClone(update) });
    }
  }
  async count(collection: string): Promise<number> {
    return this.require(collection).size;
  }
  async get<T extends StoredDocument = StoredDocument>(collection: string, key: string): Promise<T | undefined> {
    const document = this.require(collection).get(key);
    return document ? (structuredClone(document) as T) : undefined;
  }
  async findRange<T extends StoredDocument = StoredDocument>(collection: string, query: RangeQuery): Promise<T[]> {
    const value = (d: StoredDocument) => d[query.field] as number;
    return [...this.require(collection).values()]
      .filter((d) => typeof value(d) === 'number' && (query.from === undefined || value(d) >= query.from) && (query.to === undefined || value(d) <= query.to))
      .sort((a, b) => value(a) - value(b))
      .slice(query.offset ?? 0, query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit)
      .map((d) => structuredClone(d) as T);
  }
  async findPage<T extends StoredDocument = StoredDocument>(collection: string, query: PageQuery): Promise<T[]> {
    const sign = query.descending ? -1 : 1;
    const value = (d: StoredDocument) => d[query.orderBy] as number;
    const compare = (a: StoredDocument, b: { value: number; key: string }) => sign * (value(a) - b.value || (a._key < b.key ? -1 : a._key > b.key ? 1 : 0));
    return [...this.require(collection).values()]
      .filter((d) => typeof value(d) === 'number')
      .filter((d) => Object.entries(query.where ?? {}).every(([field, values]) => values.includes(d[field] as string)))
      .filter((d) => !query.after || compare(d, query.after) > 0)
      .sort((a, b) => compare(a, { value: value(b), key: b._key }))
      .slice(0, query.limit)
      .map((d) => structuredClone(d) as T);
  }
  async remove(collection: string, keys: readonly string[]): Promise<void> {
    const docs = this.require(collection);
    for (const key of keys) docs.delete(key);
  }
  async all<T extends StoredDocument = StoredDocument>(collection: string): Promise<T[]> {
    return [...this.require(collection).values()].sort((a, b) => a._key.localeCompare(b._key)).map((d) => structuredClone(d) as T);
  }
  async collectionExists(collection: string): Promise<boolean> {
    return this.collections.has(collection);
  }
  async ping(): Promise<void> {
    return undefined;
  }
  async close(): Promise<void> {
    return undefined;
  }
  private require(collection: string): Map<string, StoredDocument> {
    const docs = this.collections.get(collection);
    if (!docs) throw new Error(`collection ${collection} does not exist`);
    return docs;
  }
}

import type { StoredDocument } from '@streamforge/storage';
import { MemoryDocumentStore } from './memory-document-store';

/** A MemoryDocumentStore whose next `n` writes throw, as a store that is briefly unreachable does. */
export class FlakyDocumentStore extends MemoryDocumentStore {
  private failuresLeft = 0;
  /** Writes that failed so far. */
  failedWrites = 0;

  failNextWrites(count: number): void {
    this.failuresLeft = count;
  }

  override async upsertBatch(collection: string, documents: StoredDocument[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      this.failedWrites += 1;
      throw new Error(`store unavailable (injected failure of a write to ${collection})`);
    }
    return super.upsertBatch(collection, documents);
  }
}

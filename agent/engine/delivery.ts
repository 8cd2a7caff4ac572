// The fate of one ingested chunk and of everything derived from it (rewrite_tag copies, one copy
// per output). Two reference counts: `stored` reaches zero when the agent holds every copy safely
// (on disk, or delivered when storage is in memory), `delivered` when every output ended its copy.
// Each fires its callback once; the creator holds one reference of each until routing is done, so
// a chunk routed nowhere completes at once.
import type { IngestCallbacks } from './types.ts';

export class Delivery {
  private storeHolds = 1;
  private deliverHolds = 1;
  private readonly callbacks: IngestCallbacks;
  private readonly onStoredInternal: () => void;

  /** `onStoredInternal` runs before the input's own callback: the engine frees the chunk's memory there. */
  constructor(callbacks: IngestCallbacks, onStoredInternal: () => void) {
    this.callbacks = callbacks;
    this.onStoredInternal = onStoredInternal;
  }

  holdStore(): void {
    this.storeHolds++;
  }

  releaseStore(): void {
    if (--this.storeHolds === 0) {
      this.onStoredInternal();
      this.callbacks.onStored?.();
    }
  }

  holdDelivery(): void {
    this.deliverHolds++;
  }

  releaseDelivery(): void {
    if (--this.deliverHolds === 0) this.callbacks.onDelivered?.();
  }

  /** Routing is done: drop the creator's references. */
  seal(): void {
    this.releaseStore();
    this.releaseDelivery();
  }
}
